/* Accessibility mends for Dash 4 components that offer no route to them (dash 4.4):
 * - the handles (role=slider) and number inputs of dcc.Slider/RangeSlider, dbc.Progress's bar and
 *   dcc.Upload's file input take their accessible name from the nearest [data-a11y-name]
 *   wrapper (dashboard.components.named; for a range slider "lower | upper"); a dcc.Dropdown's
 *   trigger button is labelled by that name followed by its value;
 * - dcc.Dropdown's trigger button is its tab stop, and its hidden focus-forwarding input
 *   (aria-hidden, yet in the tab order, and put back there by the button on every blur) leaves
 *   the tab order.
 * - an ag-grid's role=grid element takes its accessible name from the nearest
 *   [data-a11y-grid-name] wrapper (dashboard.components.named_grid);
 * - a Plotly chart's SVG (hundreds of tick labels, read one by one) leaves the accessibility
 *   tree: its <figure> is named, its caption summarises it and "View as table" gives its numbers
 *   (the mode bar's camera, outside the SVG, stays reachable);
 * Runs after every DOM change (batched per animation frame), since Dash renders pages late. */
(function () {
  "use strict";
  var NAMED = '[role="slider"], [role="progressbar"], input:not([type="hidden"]), select';
  var labels = {};

  function nameOf(group, element, index) {
    var names = group.getAttribute("data-a11y-name").split(" | ");
    if (element.classList.contains("dash-range-slider-max-input")) index = names.length - 1;
    return names[Math.min(index, names.length - 1)];
  }

  /* The id of a hidden element holding ``name`` (outside the React tree), for aria-labelledby. */
  function labelId(name) {
    if (labels[name]) return labels[name];
    var box = document.getElementById("a11y-names");
    if (!box) {
      box = document.createElement("div");
      box.id = "a11y-names";
      box.hidden = true;
      document.body.appendChild(box);
    }
    var span = document.createElement("span");
    span.id = "a11y-name-" + (Object.keys(labels).length + 1);
    span.textContent = name;
    box.appendChild(span);
    labels[name] = span.id;
    return span.id;
  }

  function mend() {
    document.querySelectorAll("[data-a11y-name]").forEach(function (group) {
      var handles = 0;
      group.querySelectorAll(NAMED).forEach(function (element) {
        if (element.classList.contains("dash-dropdown-focus-target")) return;
        var index = element.getAttribute("role") === "slider" ? handles++ : 0;
        var name = nameOf(group, element, index);
        if (element.getAttribute("aria-label") !== name) element.setAttribute("aria-label", name);
      });
      group.querySelectorAll("button.dash-dropdown").forEach(function (button) {
        var id = labelId(group.getAttribute("data-a11y-name"));
        var ids = (button.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
        if (ids[0] !== id) button.setAttribute("aria-labelledby", [id].concat(ids).join(" "));
      });
    });
    document.querySelectorAll("[data-a11y-grid-name]").forEach(function (group) {
      var name = group.getAttribute("data-a11y-grid-name");
      group.querySelectorAll('[role="grid"], [role="treegrid"]').forEach(function (grid) {
        if (grid.getAttribute("aria-label") !== name) grid.setAttribute("aria-label", name);
      });
    });
    document.querySelectorAll(".js-plotly-plot .svg-container > svg").forEach(function (svg) {
      if (svg.getAttribute("aria-hidden") !== "true") svg.setAttribute("aria-hidden", "true");
    });
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var input = wrapper.querySelector("input.dash-dropdown-focus-target");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (input && input.tabIndex !== -1) input.tabIndex = -1;
      if (button && !button.disabled && button.tabIndex !== 0) button.tabIndex = 0;
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
  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["tabindex"],
  });
  schedule();
})();
