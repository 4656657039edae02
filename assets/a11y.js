/* Accessibility mends for Dash 4 components that offer no route to them (dash 4.4):
 * - the handles (role=slider) and number inputs of dcc.Slider/RangeSlider, dbc.Progress's bar and
 *   dcc.Upload's file input take their accessible name from the nearest [data-a11y-name]
 *   wrapper (dashboard.components.named; for a range slider "lower | upper");
 * - dcc.Dropdown's hidden focus-forwarding input (aria-hidden, yet in the tab order) leaves the
 *   tab order: its trigger button, right after it, is the control keyboard users reach.
 * Runs after every DOM change (batched per animation frame), since Dash renders pages late. */
(function () {
  "use strict";
  var NAMED = '[role="slider"], [role="progressbar"], input:not([type="hidden"]), select';

  function nameOf(group, element, index) {
    var names = group.getAttribute("data-a11y-name").split(" | ");
    if (element.classList.contains("dash-range-slider-max-input")) index = names.length - 1;
    return names[Math.min(index, names.length - 1)];
  }

  function mend() {
    document.querySelectorAll("[data-a11y-name]").forEach(function (group) {
      var handles = 0;
      group.querySelectorAll(NAMED).forEach(function (element) {
        var index = element.getAttribute("role") === "slider" ? handles++ : 0;
        var name = nameOf(group, element, index);
        if (element.getAttribute("aria-label") !== name) element.setAttribute("aria-label", name);
      });
    });
    document.querySelectorAll('input.dash-dropdown-focus-target[tabindex="0"]').forEach(function (el) {
      el.tabIndex = -1;
    });
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      mend();
    });
  }
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  schedule();
})();
