/* The event screen's lists: as many statements as fit are shown, and when there are more the screen
   turns to the next page every few seconds. Without this script the stylesheet shows the first ones. */
(function () {
  "use strict";
  var PAGE_SECONDS = 8;
  var timer = null;
  var turn = 0;

  function pages(list) {
    // Measure every item with all of them shown, then cut them into pages of what fits in the box.
    var items = Array.prototype.slice.call(list.children);
    list.setAttribute("data-paged", "");
    items.forEach(function (li) { li.hidden = false; });
    var room = list.clientHeight;
    var gap = parseFloat(getComputedStyle(list).rowGap) || 0;
    var result = [], page = [], used = 0;
    items.forEach(function (li) {
      var height = li.getBoundingClientRect().height;
      var needed = page.length ? used + gap + height : height;
      if (page.length && needed > room) {
        result.push(page);
        page = [];
        needed = height;
      }
      page.push(li);
      used = needed;
    });
    if (page.length) result.push(page);
    return result;
  }

  function show() {
    document.querySelectorAll("[data-rotate]").forEach(function (list) {
      var all = pages(list);
      var current = all.length ? all[turn % all.length] : [];
      Array.prototype.forEach.call(list.children, function (li) {
        li.hidden = current.indexOf(li) < 0;
      });
      list.setAttribute("data-pages", String(all.length));
    });
  }

  function start() {
    show();
    if (timer) clearInterval(timer);
    timer = setInterval(function () { turn += 1; show(); }, PAGE_SECONDS * 1000);
  }

  var part = document.querySelector('[data-part="analysis"]');
  if (part && window.MutationObserver) {
    // live.js replaces the lists when a new analysis arrives: start again from the first page
    new MutationObserver(function () { turn = 0; start(); }).observe(part, { childList: true });
  }
  window.addEventListener("resize", show);
  start();
})();
