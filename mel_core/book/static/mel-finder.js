/* The MEL book's lesson finder: filters window.MEL_LESSONS (from mel-lessons.js) by province, sector, theme
 * and year. Text is only ever set with textContent, never parsed as HTML, so a lesson's words stay words. */
(function () {
  "use strict";
  var data = window.MEL_LESSONS;
  var form = document.getElementById("mel-finder");
  var list = document.getElementById("mel-finder-results");
  var count = document.getElementById("mel-finder-count");
  if (!data || !form || !list || !count) return;
  var lessons = data.lessons;
  var fields = {
    province: function (x) { return x.provinces.concat(x.former); },
    sector: function (x) { return [x.sector]; },
    theme: function (x) { return x.themes; },
    year: function (x) { return [String(x.year)]; },
  };
  var collator = new Intl.Collator("vi");

  function fill(name) {
    var select = form.elements[name];
    var values = {};
    lessons.forEach(function (x) { fields[name](x).forEach(function (v) { values[v] = true; }); });
    var all = document.createElement("option");
    all.value = "";
    all.textContent = data.labels.all;
    select.appendChild(all);
    Object.keys(values).sort(collator.compare).forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = v;
      select.appendChild(option);
    });
    select.addEventListener("change", show);
  }

  function show() {
    var chosen = {};
    Object.keys(fields).forEach(function (name) { chosen[name] = form.elements[name].value; });
    var shown = lessons.filter(function (x) {
      return Object.keys(fields).every(function (name) {
        return !chosen[name] || fields[name](x).indexOf(chosen[name]) !== -1;
      });
    });
    while (list.firstChild) list.removeChild(list.firstChild);
    shown.forEach(function (x) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = x.url;
      link.textContent = x.title;
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "mel-meta";
      var places = x.provinces.join("; ");
      if (x.former.length) places += " (" + data.labels.formerly.replace("{name}", x.former.join(", ")) + ")";
      meta.textContent = [String(x.year), places, x.sector, x.themes.join(", ")].join(" · ");
      item.appendChild(meta);
      list.appendChild(item);
    });
    count.textContent = data.labels.shown.replace("{n}", String(shown.length));
  }

  Object.keys(fields).forEach(fill);
  show();
})();
