/* cxtrain play enhancement: make a choice without a page reload.
 *
 * Shared by the Flask pages and the Open edX XBlock. It reads everything from data- attributes on
 * the root `.cx-attempt` element rendered by play/_attempt.html:
 *   data-choose-url   where to POST {"node", "choice"} as JSON (answered with the attempt payload)
 *   data-csrf-token   sent in the header named by data-csrf-header (default X-CSRFToken)
 * A 409 answer carries the current state in `attempt`; it is shown with the message.
 * Without this script the same markup works as a plain form.
 * The XBlock may call window.cxtrainPlay.mount(root, {chooseUrl, csrfToken, csrfHeader}) itself.
 */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k]; // only server-sanitised HTML (nh3) goes here
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // Element ids carry the root's data-id-prefix so several attempts on one page stay distinct.
  var px = "cx";

  function pct(score) { return Math.round((score || 0) * 100) + "%"; }

  function feedbackSection(view) {
    if (!view.feedback_html && !(view.ripples && view.ripples.length)) return null;
    var parts = [el("h3", { id: px + "-feedback-title", tabindex: "-1", text: "What happened" })];
    if (view.feedback_html) parts.push(el("div", { "class": "cx-feedback-text", html: view.feedback_html }));
    (view.ripples || []).forEach(function (r) {
      var box = el("div", { "class": "cx-ripple" }, [el("strong", { text: "Ripple: " })]);
      box.appendChild(el("span", { html: r.html }));
      parts.push(box);
    });
    return el("section", { "class": "cx-feedback", "aria-labelledby": px + "-feedback-title" }, parts);
  }

  function metersSection(view) {
    var rows = (view.meter_list || []).map(function (m) {
      var delta = (view.deltas || {})[m.id] || 0;
      var value = el("span", { "class": "cx-meter-value", text: m.value + "/" + m.max });
      if (delta) {
        value.appendChild(document.createTextNode(" "));
        value.appendChild(el("span", { "class": "cx-delta " + (delta > 0 ? "up" : "down"),
          text: "(" + (delta > 0 ? "+" : "") + delta + ")" }));
      }
      return el("div", { "class": "cx-meter" }, [
        el("label", { "for": px + "-meter-" + m.id, text: m.label }),
        el("progress", { id: px + "-meter-" + m.id, max: String(m.max - m.min), value: String(m.value - m.min),
          text: m.value + " of " + m.max }),
        value,
      ]);
    });
    return el("section", { "class": "cx-meters", "aria-label": "Meters" }, rows);
  }

  function endingSection(view) {
    var result = el("p", { "class": "cx-result " + (view.passed ? "passed" : "failed") });
    result.appendChild(document.createTextNode("Score "));
    result.appendChild(el("strong", { text: pct(view.score) }));
    result.appendChild(document.createTextNode(" — "));
    result.appendChild(el("strong", { text: view.passed ? "passed" : "not passed" }));
    var steps = view.steps || view.path || [];
    var path = el("ol", { "class": "cx-path" }, steps.map(function (s) {
      return el("li", { text: (s.node_title ? s.node_title + ": " : "") + (s.choice_text || s.choice) });
    }));
    var parts = [el("h3", { id: px + "-ending-title", text: "Ending: " + (view.ending ? view.ending.title : "") }),
      result, rewardsBlock(view), el("h4", { text: "Your path" }), path];
    if (view.missed && view.missed.length) {
      parts.push(el("h4", { text: "Where a better choice existed" }));
      parts.push(el("ul", { "class": "cx-missed" }, view.missed.map(function (m) {
        return el("li", { text: "Step " + m.step + ": a better choice was “" + m.best_text + "”." });
      })));
    } else if (view.missed) {
      parts.push(el("p", { text: "You took the best choice at every step." }));
    }
    return el("section", { "class": "cx-ending", "aria-labelledby": px + "-ending-title" }, parts);
  }

  // XP earned, a level-up and new badges: the same markup as play/_attempt.html.
  function rewardsBlock(view) {
    if (view.xp === undefined || view.xp === null) return null;
    var parts = [el("p", { "class": "cx-xp", text: view.xp ? "+" + view.xp + " XP"
      : "No new XP this time: a replay pays only for beating your best." })];
    if (view.level_up) {
      var up = el("p", { "class": "cx-level-up", role: "status",
        text: "Level up! You are now level " + view.level_up.number + ": " });
      up.appendChild(el("strong", { text: view.level_up.name }));
      up.appendChild(document.createTextNode("."));
      parts.push(up);
    }
    (view.badges || []).forEach(function (b) {
      var p = el("p", { "class": "cx-badge-new", "data-badge": b.id, text: "New badge: " });
      p.appendChild(el("strong", { text: b.title }));
      if (b.description) p.appendChild(document.createTextNode(" — " + b.description));
      parts.push(p);
    });
    return el("div", { "class": "cx-rewards", "data-cx-rewards": "" }, parts);
  }

  // After a finish the level bar in the page header (Flask pages only) catches up without a reload.
  function refreshLevelBar(view) {
    var bar = document.querySelector(".cx-level");
    if (!bar || !view.xp) return;
    var xp = parseInt(bar.getAttribute("data-cx-xp") || "0", 10) + view.xp;
    bar.setAttribute("data-cx-xp", String(xp));
    var label = bar.querySelector(".cx-level-xp");
    if (label) label.textContent = xp + " XP";
    if (view.level_up) {
      bar.setAttribute("data-cx-level", String(view.level_up.number));
      var name = bar.querySelector(".cx-level-name");
      if (name) name.textContent = "Level " + view.level_up.number + " · " + view.level_up.name;
    }
  }

  function choicesBlock(view) {
    var buttons = view.node.choices.map(function (c) {
      return el("button", { "class": "cx-choice", type: "button", name: "choice", value: c.id, text: c.text });
    });
    var fieldset = el("fieldset", {}, [el("legend", { text: "What do you do?" })].concat(buttons));
    return el("div", { "class": "cx-choices" }, [fieldset]);
  }

  function render(root, view, notice) {
    px = root.getAttribute("data-id-prefix") || "cx";
    var title = view.node.title || (view.ending && view.ending.title) || view.title || view.module;
    var node = el("section", { "class": "cx-node", "aria-labelledby": px + "-node-title" }, [
      el("h2", { id: px + "-node-title", tabindex: "-1", text: title }),
      el("div", { "class": "cx-text", html: view.node.html }),
      view.node.customer_link ? el("p", { "class": "cx-customer-link" }, [
        el("strong", { text: "Line of sight: " }), document.createTextNode(view.node.customer_link)]) : null,
      view.finished ? endingSection(view) : choicesBlock(view),
    ]);
    var live = root.querySelector("[data-cx-live]");
    Array.prototype.slice.call(root.children).forEach(function (child) { if (child !== live) root.removeChild(child); });
    var feedback = feedbackSection(view);
    [notice ? el("p", { "class": "cx-notice", role: "alert", text: notice }) : null, feedback, metersSection(view), node]
      .forEach(function (part) { if (part) root.appendChild(part); });
    root.setAttribute("data-node", view.node.id);

    // Announce what happened, then put the keyboard where the reader continues.
    var said = [];
    if (view.feedback) said.push(view.feedback);
    (view.ripples || []).forEach(function (r) { said.push("Ripple: " + r.text); });
    if (view.finished) {
      said.push("Ending: " + (view.ending ? view.ending.title : "") + ". Score " + pct(view.score) +
        (view.passed ? ", passed." : ", not passed."));
      if (view.xp) said.push(view.xp + " XP earned.");
      if (view.level_up) said.push("Level up: " + view.level_up.name + ".");
      (view.badges || []).forEach(function (b) { said.push("New badge: " + b.title + "."); });
      refreshLevelBar(view);
    }
    live.textContent = said.join(" ");
    (feedback ? feedback.querySelector("h3") : node.querySelector("h2")).focus();
  }

  function mount(root, options) {
    if (root.__cxMounted) return;
    root.__cxMounted = true;
    options = options || {};
    var url = options.chooseUrl || root.getAttribute("data-choose-url");
    if (!url) return; // nothing to talk to: leave the plain form alone
    var busy = false;
    root.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".cx-choice") : null;
      if (!button || !root.contains(button)) return;
      event.preventDefault();
      if (busy) return; // a double click sends one request; the server would answer 409 anyway
      busy = true;
      root.setAttribute("aria-busy", "true");
      var headers = { "Content-Type": "application/json", "Accept": "application/json" };
      var token = options.csrfToken || root.getAttribute("data-csrf-token");
      if (token) headers[options.csrfHeader || root.getAttribute("data-csrf-header") || "X-CSRFToken"] = token;
      fetch(url, {
        method: "POST", credentials: "same-origin", headers: headers,
        body: JSON.stringify({ node: root.getAttribute("data-node"), choice: button.value }),
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        var body = answer.body || {};
        if (answer.ok) render(root, body);
        else if (body.attempt) render(root, body.attempt, body.message);
        else root.querySelector("[data-cx-live]").textContent = body.message || "That did not work; please try again.";
      }).catch(function () {
        root.querySelector("[data-cx-live]").textContent = "No connection; your choice was not sent. Please try again.";
      }).then(function () {
        busy = false;
        root.removeAttribute("aria-busy");
      });
    });
  }

  window.cxtrainPlay = { mount: mount, render: render };
  function mountAll() { document.querySelectorAll(".cx-attempt[data-choose-url]").forEach(function (r) { mount(r); }); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
