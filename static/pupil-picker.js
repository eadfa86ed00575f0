/* A "find a name" box above a long list of pupils (select[data-filter]): typing narrows the list.
   Picked pupils always stay in the list. Without JavaScript the plain list still works. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var all = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-find";
    box.className = "picker-find";
    box.setAttribute("autocomplete", "off");
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = select.getAttribute("data-filter");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      all.forEach(function (option) {
        var show = option.selected || !words || option.text.toLowerCase().indexOf(words) !== -1;
        if (show && option.parentNode !== select) {
          select.appendChild(option);
        } else if (!show && option.parentNode === select) {
          select.removeChild(option);
        }
      });
      all.forEach(function (option) {  /* keep the original order */
        if (option.parentNode === select) { select.appendChild(option); }
      });
    });
  });
})();
