// Show only the parameter fields of the chosen scoring method. Without JavaScript every
// group stays visible and the server uses the chosen method's fields.
(function () {
  var select = document.getElementById("id_scoring_method") || document.getElementById("id_method");
  if (!select) return;
  function update() {
    document.querySelectorAll(".method-params").forEach(function (group) {
      group.hidden = group.dataset.method !== select.value;
    });
  }
  select.addEventListener("change", update);
  update();
})();
