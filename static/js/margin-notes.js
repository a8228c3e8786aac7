/* Margin notes on wide screens (>= 1100px): each paragraph's notes sit in the right margin,
 * level with their first highlight, and are pushed down just enough never to overlap the
 * notes above. The CSS already takes them out of the text's flow (the text never moves);
 * this pass only sets each column's `top`. Runs on load, on resize and when annotate.js
 * redraws the body ("brief-notes-changed"). Below 1100px the notes follow their paragraph.
 */
(function () {
  "use strict";

  var GAP = 12; // px between two stacks of notes
  var wide = window.matchMedia("(min-width: 1100px)");

  function pageTop(element) {
    return element.getBoundingClientRect().top + window.scrollY;
  }

  function layout() {
    var bottom = -Infinity;
    document.querySelectorAll("#brief-body .block-with-notes > .margin-notes").forEach(function (column) {
      column.style.top = "";
      if (!wide.matches) { return; }
      var blockTop = pageTop(column.parentElement);
      var first = column.querySelector(".note[data-annotation]");
      var mark = first && document.getElementById("annotation-" + first.getAttribute("data-annotation"));
      var top = Math.max(mark ? pageTop(mark) : blockTop, bottom + GAP);
      column.style.top = (top - blockTop) + "px";
      bottom = top + column.offsetHeight;
    });
    var body = document.getElementById("brief-body");
    if (body) { body.setAttribute("data-margin-layout", wide.matches ? "wide" : "narrow"); }
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; layout(); });
  }

  window.addEventListener("resize", schedule);
  document.addEventListener("brief-notes-changed", schedule);
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(schedule); }
  layout();
})();
