/* The phone menu (base.html): a <details> that works without script. This only adds what a
 * menu button is expected to do from the keyboard: Escape closes the open menu and returns
 * focus to its "Menu" button, wherever in the menu the focus was.
 */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var toggle = document.querySelector(".nav-toggle[open]");
    if (!toggle) return;
    var nav = toggle.parentNode.querySelector("nav");
    var inside = toggle.contains(document.activeElement) || (nav && nav.contains(document.activeElement));
    if (!inside) return;
    toggle.open = false;
    toggle.querySelector("summary").focus();
    event.preventDefault();
  });
})();
