// The workspace pages' little behaviour, from a static file (no inline script, for the
// Content-Security-Policy): pickers that submit on change, print buttons, focus on the code.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const field of form.querySelectorAll("select, input[type=date], input[type=month]")) {
      field.addEventListener("change", () => form.submit());
    }
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
