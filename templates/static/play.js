/* cxtrain play page: take a step without a page reload.
 *
 * Only roots that opt in with data-cx-fragment (the service's attempt page) are enhanced; the
 * trainer preview and the Open edX XBlock render the same partial without it and are left alone.
 * A choice posts the form itself, with the header X-Cx-Fragment: 1, and the server answers with
 * play/_attempt.html re-rendered (200, or 409/400 with a notice), so there is one rendering of
 * the view and every string in it went through _(). This script only swaps that element in,
 * moves focus and announces template[data-cx-announce]. Without it the same markup is a plain form.
 */
(function () {
  "use strict";

  var ROOT = ".cx-attempt[data-cx-fragment]";
  var busy = false;

  // What the live region says: a sentence of the script's own, or a copy of the view's
  // template[data-cx-announce], which keeps the module's words marked with their language.
  function announce(live, said) {
    if (!live) return;
    if (typeof said === "string") {
      live.textContent = said;
      return;
    }
    live.textContent = "";
    if (said) live.appendChild(document.importNode(said.content, true));
  }

  function parse(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return holder.content.querySelector(".cx-attempt");
  }

  // A finishing step carries the header level bar with the new totals, rendered by the server.
  function refreshLevelBar(fresh) {
    var carried = fresh.querySelector("template[data-cx-level-bar]");
    if (!carried) return;
    carried.parentNode.removeChild(carried);
    var bar = document.querySelector(".cx-level");
    var next = carried.content.querySelector(".cx-level");
    if (bar && next) bar.parentNode.replaceChild(document.importNode(next, true), bar);
  }

  // The root element and its live region stay in the page and take the fresh attributes and
  // children: a region that is already there is announced reliably when its text changes, a
  // freshly inserted one often is not.
  function swap(root, fresh) {
    refreshLevelBar(fresh);
    var live = root.querySelector("[data-cx-live]");
    Array.prototype.slice.call(root.attributes).forEach(function (attr) {
      if (!fresh.hasAttribute(attr.name)) root.removeAttribute(attr.name);
    });
    Array.prototype.slice.call(fresh.attributes).forEach(function (attr) {
      root.setAttribute(attr.name, attr.value);
    });
    Array.prototype.slice.call(root.childNodes).forEach(function (child) {
      if (child !== live) root.removeChild(child);
    });
    Array.prototype.slice.call(fresh.childNodes).forEach(function (child) {
      if (!(live && child.nodeType === 1 && child.hasAttribute("data-cx-live"))) root.appendChild(child);
    });
    // The live region says the notice; a role=alert copy would make a screen reader say it twice.
    var notice = root.querySelector(".cx-notice");
    if (notice) notice.removeAttribute("role");
    var target = root.querySelector(".cx-feedback-title") || root.querySelector(".cx-node-title");
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
    announce(live || root.querySelector("[data-cx-live]"), root.querySelector("template[data-cx-announce]"));
  }

  // The page stays as it was; the learner reads and hears why, and can simply try again (or,
  // when the server said why in a sentence of plain text, do what it says, e.g. reload).
  function failed(root, reason) {
    var text = reason || root.getAttribute("data-cx-error") || "";
    var note = root.querySelector(".cx-notice");
    if (!note) {
      note = document.createElement("p");
      note.className = "cx-notice";
      var live = root.querySelector("[data-cx-live]");
      root.insertBefore(note, live ? live.nextSibling : root.firstChild);
    }
    note.removeAttribute("role");
    note.textContent = text;
    // The note sits above the situation, out of sight of a phone user who scrolled down to the
    // choices: bring it into view with focus, as a swapped-in answer brings its feedback.
    note.setAttribute("tabindex", "-1");
    note.focus();
    announce(root.querySelector("[data-cx-live]"), text);
  }

  function send(root, form, button) {
    busy = true;
    root.setAttribute("aria-busy", "true");
    var body = new URLSearchParams(new FormData(form));
    body.set(button.name, button.value);
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Cx-Fragment": "1" },
      body: body,
    }).then(function (response) {
      return response.text().then(function (html) {
        // 400 with a notice is a view too (a choice no longer on offer); a CSRF failure or a
        // login page is not, and must not replace the attempt.
        var fresh = response.ok || response.status === 409 || response.status === 400 ? parse(html) : null;
        // The service explains a refusal in one short sentence of plain text; anything else (a
        // proxy's error page) gets the page's own message.
        var plain = (response.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
        var reason = plain && html.length <= 300 ? html.trim() : "";
        if (fresh) swap(root, fresh);
        else failed(root, reason);
      });
    }).catch(function () {
      failed(root);
    }).then(function () {
      busy = false;
      root.removeAttribute("aria-busy");
    });
  }

  // A double click is one choice. When the first answer comes back between the two clicks, the
  // second would land on a button of the next step and take a choice the learner never read.
  // Keyboard activation has detail 0, so only the repeat of a mouse or touch click is dropped.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".cx-choice") : null;
    if (event.detail > 1 && button && button.closest(ROOT)) event.preventDefault();
  }, true);

  // Listening for submit covers mouse, Enter and Space alike; a browser without event.submitter
  // cannot tell which choice was taken, so it falls back to the plain form post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var root = form.closest ? form.closest(ROOT) : null;
    var button = event.submitter;
    if (!root || !button || !button.classList.contains("cx-choice") || !form.contains(button)) return;
    event.preventDefault();
    if (busy) return; // a double click sends one request
    send(root, form, button);
  });
})();
