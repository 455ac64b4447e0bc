// The moderator desk's keyboard: j/k move between cards, a/r/s decide the
// focused one, b opens its ban form, u takes back the last decision, ? shows
// the keys. Every action is a form that also works without this script.
(function () {
  "use strict";

  var TYPING = /^(INPUT|TEXTAREA|SELECT|BUTTON)$/;
  var current = null;

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("#desk-cards .card"));
  }

  function live(card) {
    return card && !card.classList.contains("is-done") &&
      !card.classList.contains("is-refused") && !card.dataset.busy;
  }

  function focusCard(card, quiet) {
    if (!card) return;
    if (current && current !== card) {
      current.classList.remove("is-focused");
      current.removeAttribute("aria-current");
    }
    current = card;
    card.classList.add("is-focused");
    card.setAttribute("aria-current", "true");
    card.focus({ preventScroll: true });
    if (!quiet) card.scrollIntoView({ block: "nearest" });
  }

  function step(from, direction, onlyLive) {
    var all = cards();
    var i = all.indexOf(from);
    for (var j = i + direction; j >= 0 && j < all.length; j += direction) {
      if (!onlyLive || live(all[j])) return all[j];
    }
    return null;
  }

  function firstLive() {
    var all = cards();
    for (var i = 0; i < all.length; i++) if (live(all[i])) return all[i];
    return all[0] || null;
  }

  function say(text) {
    var status = document.getElementById("desk-status");
    if (status) status.textContent = text;
  }

  function fetchMoreIfLow() {
    var desk = document.getElementById("desk");
    if (!desk || !window.htmx || desk.dataset.fetching) return;
    var remaining = cards().filter(live).length;
    if (remaining > 3) return;
    var skip = cards().map(function (c) { return c.dataset.commentId; }).join(",");
    var query = desk.dataset.query ? desk.dataset.query + "&" : "";
    desk.dataset.fetching = "1";
    window.htmx.ajax("GET", desk.dataset.moreUrl + "?" + query + "skip=" + skip,
      { target: "#desk-cards", swap: "beforeend" }).then(function () {
        delete desk.dataset.fetching;
        if (!live(current)) focusCard(step(current, 1, true) || firstLive());
      });
  }

  function act(key) {
    if (!live(current)) return;
    if (key === "b") {
      var ban = current.querySelector("details.card-ban");
      if (ban) {
        ban.open = true;
        var reason = ban.querySelector("input[name=reason]");
        if (reason) reason.focus();
      }
      return;
    }
    var button = current.querySelector('button[data-key="' + key + '"]');
    if (button) {
      current.dataset.busy = "1";
      button.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("desk")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (event.key === "Escape" && target.closest && target.closest("details.card-ban")) {
      target.closest("details.card-ban").open = false;
      focusCard(target.closest(".card"));
      return;
    }
    if (TYPING.test(target.tagName) || target.isContentEditable) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      var next = step(current, key === "j" ? 1 : -1, false);
      if (next) focusCard(next);
      if (key === "j") fetchMoreIfLow();
    } else if (key === "a" || key === "r" || key === "s" || key === "b") {
      event.preventDefault();
      act(key);
    } else if (key === "u") {
      event.preventDefault();
      var undo = document.getElementById("desk-undo");
      if (undo) undo.requestSubmit();
    } else if (key === "?") {
      event.preventDefault();
      var help = document.getElementById("desk-help");
      if (help) help.open = !help.open;
    }
  });

  // A card clicked or tabbed into becomes the focused one.
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("#desk-cards .card");
    if (card && card !== current) focusCard(card);
  });

  // A refused decision (409, 400) still replaces the card with its reason.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After an outerHTML swap the event's elements may be the replaced ones:
  // find the card now in the page by its id.
  function swappedCard(detail) {
    var old = detail.target || detail.elt;
    var id = old && old.id;
    if (!id || id.indexOf("card-") !== 0) return null;
    return document.getElementById(id);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var card = swappedCard(event.detail);
    if (!card) return;
    if (card.classList.contains("is-done")) {
      say(card.getAttribute("aria-label") + ". Press u to undo.");
    } else if (card.classList.contains("is-refused")) {
      say(card.textContent.trim());
    }
    if (!live(card)) {
      focusCard(step(card, 1, true) || card);
      fetchMoreIfLow();
    }
  });

  // Undo brings a card back out of band: it takes the focus again.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var card = swappedCard(event.detail);
    if (card) focusCard(card);
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("desk")) return;
    // htmx would lend a swapped card the old one's classes until it settles;
    // the desk reads a card's state from its classes at once.
    if (window.htmx) window.htmx.config.attributesToSettle = [];
    focusCard(firstLive(), true);  // the page opens at its top, counts in view
  });
})();
