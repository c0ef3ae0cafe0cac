/* Progressive enhancements only: every page works without this file.
   - "Read it to me" buttons ([data-speak]) read an element aloud with the browser's speech
     synthesis; where there is none, they stay hidden.
   - "Nearest first" forms ([data-locate]) ask the browser for its location and send it; where
     there is no geolocation, they stay hidden.
   - A photo chosen in a form ([.photo-input]) is named under its button. */
(function () {
  "use strict";

  function voiceLang() {
    var lang = document.documentElement.lang || "zh-hans";
    return lang.indexOf("zh") === 0 ? "zh-CN" : "en-GB";
  }

  function setUpSpeech() {
    if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
    document.querySelectorAll("[data-speak]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-speak"));
      if (!target) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        window.speechSynthesis.cancel();
        var text = target.innerText.replace(/\s+/g, " ").trim();
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = voiceLang();
        utterance.rate = 0.85; /* a little slower than usual: easier to follow */
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  function setUpLocate() {
    if (!("geolocation" in navigator)) return;
    document.querySelectorAll("form[data-locate]").forEach(function (form) {
      var field = form.querySelector("input[name=near]");
      var status = form.querySelector("[data-locate-status]");
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        if (field.value) return;
        event.preventDefault();
        if (status) status.textContent = form.getAttribute("data-waiting") || "";
        navigator.geolocation.getCurrentPosition(
          function (position) {
            field.value = position.coords.latitude.toFixed(4) + "," +
              position.coords.longitude.toFixed(4);
            form.submit();
          },
          function () {
            if (status) status.textContent = form.getAttribute("data-refused") || "";
          },
          { maximumAge: 600000, timeout: 15000 }
        );
      });
    });
  }

  function setUpPhotoInputs() {
    document.querySelectorAll("input.photo-input").forEach(function (input) {
      var shown = input.parentNode.querySelector(".photo-chosen");
      if (!shown) return;
      input.addEventListener("change", function () {
        shown.textContent = input.files && input.files.length ? "✓ " + input.files[0].name : "";
      });
    });
  }

  function start() {
    setUpSpeech();
    setUpLocate();
    setUpPhotoInputs();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
