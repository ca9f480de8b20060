// WCAG 2.1 "label in name" (2.5.3): a control's accessible name must contain the text it shows.
// The theme labels its search buttons "Search" while they show "Search Ctrl+K"; its colour mode
// button "Color mode" while its icons carry the titles "Light", "Dark", "System Settings"; and
// the folded solutions "Toggle hidden content" while they show "Show the solution".
function bookAccessibleLabels() {
  document.querySelectorAll(".search-button__button").forEach((button) => {
    const shown = button.textContent.replace(/\s+/g, " ").trim();
    if (shown) button.setAttribute("aria-label", shown);
  });
  document.querySelectorAll(".theme-switch-button").forEach((button) => {
    button.querySelectorAll("i").forEach((icon) => {
      icon.removeAttribute("title");
      icon.setAttribute("aria-hidden", "true");
    });
    if (!button.querySelector(".visually-hidden")) {
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = button.getAttribute("aria-label") || "Color mode";
      button.appendChild(name);
    }
    button.removeAttribute("aria-label");  // the name is now the hidden text
  });
  // a folded cell's name is the visible "Show the solution" / "Hide the solution"
  document.querySelectorAll("details > summary[aria-label]").forEach((summary) => {
    if (summary.textContent.trim()) summary.removeAttribute("aria-label");
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", bookAccessibleLabels);
} else {
  bookAccessibleLabels();
}
