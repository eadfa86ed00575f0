// "Read to me": reads the current lesson section aloud with the browser's own speech synthesis.
// No network service is used; without JavaScript or speech support the button stays hidden.
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var target = document.getElementById(button.getAttribute("data-target"));
  if (!target) {
    return;
  }
  var speaking = false;
  button.hidden = false;
  function stop() {
    window.speechSynthesis.cancel();
    speaking = false;
    button.textContent = "Read to me";
    button.setAttribute("aria-pressed", "false");
  }
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", function () {
    if (speaking) {
      stop();
      return;
    }
    var utterance = new SpeechSynthesisUtterance(target.innerText);
    utterance.lang = document.documentElement.lang || "en-GB";
    utterance.rate = 0.9;
    utterance.onend = stop;
    utterance.onerror = stop;
    speaking = true;
    button.textContent = "Stop reading";
    button.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(utterance);
  });
  window.addEventListener("pagehide", stop);
})();
