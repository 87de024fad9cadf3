// Show only the fields that apply: the owner of the level chosen on the create page, and
// on a line page the profile, starting level and typed months of the phasing chosen.
// Without JavaScript every field stays visible and the server ignores what does not apply.
(function () {
  function fieldOf(name) {
    var input = document.querySelector("[name=" + name + "]");
    return input && input.closest(".field");
  }
  function toggle(name, visible) {
    var field = fieldOf(name);
    if (field) field.hidden = !visible;
  }
  function watch(names, update) {
    names.forEach(function (name) {
      document.querySelectorAll("[name=" + name + "]").forEach(function (input) {
        input.addEventListener("change", update);
      });
    });
    update();
  }
  function value(name) {
    var checked = document.querySelector("[name=" + name + "]:checked");
    var input = checked || document.querySelector("select[name=" + name + "]");
    return input ? input.value : "";
  }

  if (document.querySelector("form [name=level]") && document.querySelector("form [name=start]")) {
    watch(["level"], function () {
      var level = value("level");
      toggle("department", level === "department");
      toggle("team", level === "team");
      toggle("post", level === "post");
    });
  }
  if (document.querySelector("form [name=phasing]") && document.querySelector("form [name=aggregation]")) {
    watch(["phasing", "aggregation"], function () {
      toggle("profile", value("phasing") === "profile");
      toggle("months", value("phasing") === "manual");
      toggle("phasing_start", value("aggregation") === "last");
    });
  }
})();
