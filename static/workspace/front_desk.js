// The front desk's camera: scan a member's QR code (it holds the check-in code) with the
// vendored html5-qrcode, put the code in the field and send it, as a USB scanner would.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkin-form");
  const field = document.getElementById("checkin-code");
  const start = document.getElementById("scan-start");
  const stop = document.getElementById("scan-stop");
  const Library = window.__Html5QrcodeLibrary__;
  if (!form || !field || !start || !Library || !window.isSecureContext) {
    return; // no camera without HTTPS (or localhost): typing and USB scanners still work
  }
  start.hidden = false;
  let scanner = null;
  const halt = () => {
    if (scanner) {
      scanner.stop().catch(() => {});
      scanner = null;
    }
    start.hidden = false;
    stop.hidden = true;
  };
  start.addEventListener("click", () => {
    scanner = new Library.Html5Qrcode("qr-reader");
    start.hidden = true;
    stop.hidden = false;
    scanner
      .start({ facingMode: "environment" }, { fps: 10, qrbox: 220 }, (text) => {
        halt();
        field.value = text.trim();
        form.submit();
      })
      .catch(halt);
  });
  stop.addEventListener("click", halt);
});
