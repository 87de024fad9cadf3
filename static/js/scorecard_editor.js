// The scorecard editor: live weight totals while typing, and the library search.
// Figures here are for the eye only; the server checks the card exactly (Decimal).
(function () {
  var form = document.getElementById("card-editor");
  if (!form) return;
  var convention = form.querySelector("[name=convention]");

  function number(input) {
    var value = parseFloat((input && input.value || "").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }
  function show(output, value) { if (output) output.textContent = value.toFixed(2); }

  function update() {
    var within = convention && convention.value === "within_perspective";
    var perspectiveWeights = {}, perspectiveTotal = 0;
    form.querySelectorAll("input[name^='pw-']").forEach(function (input) {
      var code = input.name.slice(3);
      perspectiveWeights[code] = number(input);
      perspectiveTotal += number(input);
    });
    var sums = {}, effectiveTotal = 0;
    form.querySelectorAll("tr.line").forEach(function (row) {
      var code = row.dataset.perspective;
      var weight = row.dataset.veto ? 0 : number(row.querySelector("input[name$='-weight']"));
      sums[code] = (sums[code] || 0) + weight;
      var effective = within ? (perspectiveWeights[code] || 0) * weight / 100 : weight;
      effectiveTotal += effective;
      show(row.querySelector("output.effective"), effective);
    });
    form.querySelectorAll("output.group-sum").forEach(function (output) {
      var code = output.dataset.perspective, sum = sums[code] || 0;
      var expected = within ? (perspectiveWeights[code] ? 100 : 0) : (perspectiveWeights[code] || 0);
      show(output, sum);
      output.classList.toggle("danger-text", Math.abs(sum - expected) > 0.001);
      output.classList.toggle("ok-text", Math.abs(sum - expected) <= 0.001);
    });
    var total = document.getElementById("perspective-total");
    show(total, perspectiveTotal);
    total.className = Math.abs(perspectiveTotal - 100) > 0.001 ? "danger-text" : "ok-text";
    var effectiveOutput = document.getElementById("effective-total");
    show(effectiveOutput, effectiveTotal);
    effectiveOutput.className = Math.abs(effectiveTotal - 100) > 0.001 ? "danger-text" : "ok-text";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();

  var search = document.getElementById("library-search");
  var results = document.getElementById("library-results");
  if (!search || !results) return;
  var timer = null;
  function load() {
    var url = search.action + "?" + new URLSearchParams(new FormData(search)).toString();
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { results.innerHTML = html; });
  }
  search.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
})();
