/* Optional enhancements; every page works without this file.
   - voting deck: vote without reloading the page
   - answers: save while typing
   - statement box: characters used
   - closing page: "Where you stand" shows itself once the analysis placing the participant lands */
(function () {
  "use strict";
  function post(form, extra) {
    var data = new FormData(form);
    if (extra) data.append(extra.name, extra.value);
    return fetch(form.action || location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
    }).then(function (r) { return r.json(); });
  }
  function alertBox(where, text) {
    var box = where.querySelector("[role=alert]");
    if (!box) { box = document.createElement("p"); box.className = "error"; box.setAttribute("role", "alert"); where.prepend(box); }
    box.textContent = text; box.hidden = !text;
  }
  var deck = document.querySelector("[data-deck]");
  if (deck) {
    deck.addEventListener("submit", function (e) {
      var b = e.submitter;
      if (!b || !window.fetch || !window.FormData || deck.hasAttribute("data-plain")) return;
      e.preventDefault();
      if (deck.hasAttribute("data-busy")) return;
      deck.setAttribute("data-busy", "");
      post(deck, b).then(function (r) {
        deck.removeAttribute("data-busy");
        if (!r.ok) { alertBox(deck, r.message); return; }
        if (!r.statement) { location.reload(); return; }
        alertBox(deck, "");
        var s = deck.querySelector("[data-statement]");
        s.textContent = r.statement.text;
        s.lang = r.statement.lang; s.dir = r.statement.dir;
        deck.elements.statement.value = r.statement.id;
        document.querySelector("[data-progress]").textContent = r.progress;
        var bar = document.querySelector("[data-progress-bar]");
        bar.max = r.total; bar.value = r.position - 1;
      }).catch(function () {
        deck.removeAttribute("data-busy"); deck.setAttribute("data-plain", ""); deck.requestSubmit(b);
      });
    });
  }
  var form = document.querySelector("[data-autosave]");
  if (form && window.fetch) {
    var status = form.querySelector("[data-save-status]"), timer;
    form.elements.text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        post(form).then(function (r) { status.textContent = r.message; })
          .catch(function () { status.textContent = ""; });
      }, 1500);
    });
  }
  var standing = document.querySelector("[data-standing=updating]");
  if (standing && window.fetch && window.DOMParser) {
    var tries = 0;
    var poll = function () {
      if (++tries > 40) return;  // two minutes; the refresh link stays for later
      fetch(standing.getAttribute("data-standing-url"), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-standing]");
          if (fresh && fresh.getAttribute("data-standing") !== "updating") {
            standing.innerHTML = fresh.innerHTML;  // inside the live region, so screen readers hear it
            standing.setAttribute("data-status", fresh.getAttribute("data-status"));
            standing.setAttribute("data-standing", fresh.getAttribute("data-standing"));
          } else { setTimeout(poll, 3000); }
        }).catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 2000);
  }
  var counter = document.querySelector("[data-counter]");
  if (counter) {
    var box = document.getElementById("statement-text"), max = counter.getAttribute("data-counter");
    var show = function () { counter.textContent = box.value.length + " / " + max; };
    box.addEventListener("input", show); show();
  }
})();
