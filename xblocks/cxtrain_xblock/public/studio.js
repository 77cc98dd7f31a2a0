/* cxscenario Studio editor: shows the library picker or the YAML box, checks the YAML on demand,
 * saves through studio_submit and lists lint findings by line (clicking one selects that line). */
/* exported CxScenarioStudio */
function CxScenarioStudio(runtime, element, args) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector(".cxs-studio-form");
  var yaml = root.querySelector("#cxs-yaml");
  var list = root.querySelector("[data-cxs-findings]");
  var status = root.querySelector("[data-cxs-status]");
  var messages = (args && args.messages) || {};

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].trim().split("=");
      if (pair[0] === name) { return decodeURIComponent(pair.slice(1).join("=")); }
    }
    return "";
  }

  function post(handler, data) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify(data)
    }).then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); });
  }

  // Studio's runtime has notify (save spinner, closing the editor); the workbench's has not.
  function notify(name, data) { if (typeof runtime.notify === "function") { runtime.notify(name, data); } }

  function source() {
    var checked = root.querySelector("input[name=source]:checked");
    return checked ? checked.value : "library";
  }

  function toggle() {
    var panes = root.querySelectorAll("[data-cxs-source]");
    for (var i = 0; i < panes.length; i++) { panes[i].hidden = panes[i].getAttribute("data-cxs-source") !== source(); }
  }

  function selectLine(line) {
    var lines = yaml.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    yaml.focus();
    yaml.setSelectionRange(start, end);
    // Selecting does not scroll a textarea in every browser; its lines do not wrap (wrap="off"),
    // so each is the same height, and the line's offset is its number times that. Keep a few
    // lines above it.
    var height = yaml.scrollHeight / Math.max(lines.length, 1);
    yaml.scrollTop = Math.max(0, (line - 4) * height);
  }

  // The messages come translated from the block with gettext's %(name)s placeholders, the way the
  // findings rendered on the server are written, so both read the same in every language.
  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function showFindings(findings, text) {
    var severities = messages.severities || {};
    list.innerHTML = "";
    (findings || []).forEach(function (f) {
      var li = document.createElement("li");
      li.className = "cxs-finding " + f.severity;
      var link = document.createElement("a");
      link.href = "#cxs-yaml";
      link.textContent = fill(messages.line, { line: f.line, column: f.column });
      link.addEventListener("click", function (e) { e.preventDefault(); selectLine(f.line); });
      li.appendChild(link);
      var said = fill(messages.finding, { severity: severities[f.severity] || f.severity, message: f.message });
      li.appendChild(document.createTextNode(" — " + said + " "));
      var code = document.createElement("code");
      code.textContent = "[" + f.code + "]";
      li.appendChild(code);
      list.appendChild(li);
    });
    status.textContent = text || ((findings && findings.length) ? "" : messages.clean || "");
  }

  function payload() {
    var data = {
      display_name: form.display_name.value,
      weight: form.weight.value,
      max_attempts: form.max_attempts.value,
      grading_policy: form.grading_policy.value
    };
    if (source() === "yaml") { data.yaml = yaml.value; } else { data.module = form.module.value; }
    return data;
  }

  root.addEventListener("change", function (e) { if (e.target.name === "source") { toggle(); } });
  root.querySelector("[data-cxs-check]").addEventListener("click", function () {
    status.textContent = messages.checking || "";
    post("lint", { yaml: yaml.value }).then(function (res) { showFindings(res.json.findings); });
  });
  list.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-line]");
    if (link) { e.preventDefault(); selectLine(parseInt(link.getAttribute("data-line"), 10)); }
  });
  root.querySelector("[data-cxs-cancel]").addEventListener("click", function (e) {
    e.preventDefault();
    notify("cancel", {});
  });
  // A refused setting (the answer's "field") is marked and focused, so its message is heard with it.
  function markField(name) {
    ["weight", "max_attempts"].forEach(function (other) {
      if (form[other]) { form[other].removeAttribute("aria-invalid"); }
    });
    if (name && form[name]) {
      form[name].setAttribute("aria-invalid", "true");
      form[name].focus();
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    markField(null);
    notify("save", { state: "start", message: messages.saving });
    post("studio_submit", payload()).then(function (res) {
      if (res.status === 200) {
        showFindings(res.json.findings);
        notify("save", { state: "end" });
      } else {
        showFindings(res.json.findings, res.json.message || messages.refused);
        markField(res.json.field);
        notify("error", { title: messages.refused, message: res.json.message || "" });
      }
    }).catch(function () { notify("error", { title: messages.failed, message: "" }); });
  });
  toggle();
}
