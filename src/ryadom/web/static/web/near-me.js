// "Use my location": asks the browser (which asks the person) and submits the coordinates.
// Without JavaScript, or if the person says no, the town list works as before.
(function () {
  var button = document.getElementById("near-me");
  var form = document.getElementById("find-form");
  if (!button || !form || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(4);
      form.elements.lon.value = position.coords.longitude.toFixed(4);
      form.elements.settlement.value = "";
      form.submit();
    });
  });
})();
