/* Registration niceties; every page works without them.
   - Payer step: the organisation fields show only when “organisation” is chosen.
   - Attendees step: a button copies the first attendee's organisation to the others.
   - Order page: while a card payment is being confirmed, the page checks again every few seconds (not for people
     who asked for reduced motion, and at most for two minutes); the “check again” link is always there.
   - Order page: a form that sends an email or cancels is sent once, however often its button is pressed (the
     services ignore a second request anyway; this only saves the wait). */
(function () {
    "use strict";

    function organisationFields() {
        var kind = document.querySelector("[data-buyer-kind]");
        var part = document.querySelector("[data-organisation-fields]");
        if (!kind || !part) return;
        var hint = part.querySelector("[data-organisation-hint]");
        function update() {
            var chosen = kind.querySelector("input:checked");
            var organisation = chosen && chosen.value === "organisation";
            part.hidden = !organisation;
            if (hint) hint.hidden = true; // with the fields shown only when they apply, the hint says nothing new
        }
        kind.addEventListener("change", update);
        update();
    }

    function copyOrganisation() {
        var holder = document.querySelector("[data-copy-organisation]");
        if (!holder) return;
        holder.hidden = false;
        holder.querySelector("button").addEventListener("click", function () {
            var inputs = document.querySelectorAll("input[name$='-organisation']");
            if (!inputs.length) return;
            var value = inputs[0].value;
            for (var i = 1; i < inputs.length; i++) inputs[i].value = value;
            if (inputs.length > 1) inputs[1].focus();
        });
    }

    function autoRefresh() {
        var note = document.querySelector("[data-auto-refresh]");
        if (!note) return;
        if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
        var key = "tickets.refresh:" + location.pathname;
        var count = Number(sessionStorage.getItem(key) || 0);
        if (count >= 40) return;
        note.hidden = false;
        var seconds = Number(note.getAttribute("data-seconds")) || 3;
        setTimeout(function () {
            sessionStorage.setItem(key, String(count + 1));
            location.reload();
        }, seconds * 1000);
    }

    function submitOnce() {
        var forms = document.querySelectorAll("[data-resend-form], [data-cancel-order-form]");
        Array.prototype.forEach.call(forms, function (form) {
            form.addEventListener("submit", function (event) {
                if (form.getAttribute("data-sent")) {
                    event.preventDefault();
                    return;
                }
                form.setAttribute("data-sent", "true");
                var button = form.querySelector("button[type=submit]");
                if (button) button.setAttribute("aria-disabled", "true");
            });
        });
        window.addEventListener("pageshow", function (event) {
            if (!event.persisted) return; // back from the next page: the form may be sent again
            Array.prototype.forEach.call(forms, function (form) {
                form.removeAttribute("data-sent");
                var button = form.querySelector("button[type=submit]");
                if (button) button.removeAttribute("aria-disabled");
            });
        });
    }

    organisationFields();
    copyOrganisation();
    autoRefresh();
    submitOnce();
})();
