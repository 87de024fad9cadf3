// A checkbox with data-select-all="name" ticks or clears every checkbox called "name"
// inside the nearest element with data-select-scope (or the whole form).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[type=checkbox][data-select-all]")) return;
  var scope = box.closest("[data-select-scope]") || box.form || document;
  scope.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (item) {
    item.checked = box.checked;
  });
});
