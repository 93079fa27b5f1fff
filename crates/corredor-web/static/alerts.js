// Live updates of the alert pages. The pages work fully without this script: it only says,
// at once, that an alert the reader may see was issued or changed, and reloads the detail
// page of the alert being read. Words come from the page's data attributes, so the script
// speaks the page's language and needs no translations of its own.
(function () {
  "use strict";
  var region = document.getElementById("alert-live");
  if (!region || typeof window.EventSource !== "function") {
    return;
  }
  var shown = region.getAttribute("data-alert-id");
  var lang = document.documentElement.getAttribute("lang") || "es";

  // The headline in the page's language when the alert is written in it.
  function headline(event) {
    var own = lang === "en" ? event.headline_en : event.headline_es;
    return own || event.headline || "";
  }

  function fill(template, event) {
    return template
      .split("{country}").join(event.issuing_country || "")
      .split("{headline}").join(headline(event));
  }

  function link(href, words) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = words;
    return anchor;
  }

  // A reader typing in one of the page's forms is not interrupted by a reload.
  function typing() {
    var active = document.activeElement;
    return !!(active && active.form);
  }

  var source = new EventSource("/api/v1/alerts/events");
  source.addEventListener("alert", function (message) {
    var event;
    try {
      event = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    if (shown && String(event.alert_id) === shown && !typing()) {
      window.location.reload();
      return;
    }
    var isNew = event.kind === "activated" || event.kind === "drafted";
    var template = region.getAttribute(isNew ? "data-new" : "data-changed") || "";
    var paragraph = document.createElement("p");
    paragraph.appendChild(document.createTextNode(fill(template, event) + " "));
    paragraph.appendChild(
      link("/alerts/" + encodeURIComponent(event.alert_id) + "?lang=" + lang,
        region.getAttribute("data-open") || "")
    );
    paragraph.appendChild(document.createTextNode(" · "));
    paragraph.appendChild(link(window.location.href, region.getAttribute("data-reload") || ""));
    region.textContent = "";
    region.appendChild(paragraph);
  });
})();
