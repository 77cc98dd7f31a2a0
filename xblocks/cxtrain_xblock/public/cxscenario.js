/* cxscenario learner view: sends choices to the block's JSON handlers and shows the answer.
 * No framework and nothing from the internet. The server re-renders the view (the answer's
 * "html"), so the page looks exactly like the first render; this script only moves focus and
 * announces the change, so keyboard and screen-reader users follow every step. */
/* exported CxScenarioBlock */
function CxScenarioBlock(runtime, element, args) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var body = root.querySelector("[data-cxs-body]");
  var messages = (args && args.messages) || {};
  var busy = false;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].trim().split("=");
      if (pair[0] === name) { return decodeURIComponent(pair.slice(1).join("=")); }
    }
    return "";
  }

  function csrfHeader() {
    var attempt = body.querySelector(".cx-attempt");
    return (attempt && attempt.getAttribute("data-csrf-header")) || "X-CSRFToken";
  }

  function post(handler, data) {
    var headers = { "Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest" };
    // The LMS and the workbench both check Django's CSRF cookie against this header.
    headers[csrfHeader()] = cookie("csrftoken");
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    });
  }

  // said: a sentence of the script's own, or the view's template[data-cx-announce] (after the
  // notice, if any), whose copy keeps the module's words marked with their language.
  function announce(said, notice) {
    var live = body.querySelector("[data-cx-live]");
    if (!live) { return; }
    live.textContent = "";
    window.setTimeout(function () {
      if (typeof said === "string") { live.textContent = said; return; }
      if (notice) { live.appendChild(document.createTextNode(notice + " ")); }
      if (said) { live.appendChild(document.importNode(said.content, true)); }
    }, 50);
  }

  function show(answer, notice) {
    body.innerHTML = answer.html;
    var target = body.querySelector(".cx-feedback-title") || body.querySelector(".cx-node-title");
    if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
    // What to say comes rendered and translated with the view (the visible text's own words), so
    // the script composes no text of its own in any language.
    announce(body.querySelector("template[data-cx-announce]"), notice);
  }

  function setBusy(on) {
    busy = on;
    var buttons = body.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = on; }
    body.setAttribute("aria-busy", on ? "true" : "false");
    if (on && messages.working) { announce(messages.working); }
  }

  function failed(text) {
    setBusy(false);
    announce(text || messages.error || "");
    var attempt = body.querySelector(".cx-attempt") || body;
    var note = attempt.querySelector(".cx-notice");
    if (!note) {
      note = document.createElement("p");
      note.className = "cx-notice";
      note.setAttribute("role", "alert");
      attempt.insertBefore(note, attempt.firstChild);
    }
    note.textContent = text || messages.error || "";
  }

  function send(handler, data) {
    if (busy) { return; }
    setBusy(true);
    post(handler, data).then(function (res) {
      busy = false;
      if (res.status === 200) {
        show(res.json, handler === "restart" ? messages.restarted : null);
      } else if (res.status === 409 && res.json.attempt) {
        // The view says why itself when the module was updated under the attempt (its notice).
        show(res.json.attempt, res.json.attempt.notice ? null : messages.stale);
      } else {
        failed(res.json && res.json.message);
      }
    }).catch(function () { failed(messages.error); });
  }

  body.addEventListener("click", function (event) {
    var choice = event.target.closest(".cx-choice");
    if (choice && body.contains(choice)) {
      event.preventDefault();
      var attempt = choice.closest(".cx-attempt");
      send("choose", { node: attempt.getAttribute("data-node"), choice: choice.value });
      return;
    }
    var restart = event.target.closest("[data-cxs-restart]");
    if (restart && body.contains(restart)) {
      event.preventDefault();
      send("restart", {});
    }
  });
  // A shared partial rendered as a plain form must never submit the page inside a course.
  body.addEventListener("submit", function (event) { event.preventDefault(); });
}
