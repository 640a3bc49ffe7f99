/*
 * The programme, enhanced: filters without a reload, "Now" and "Next" markers worked out in the browser (so
 * cached HTML stays right), and starred sessions ("My agenda") kept in this browser's localStorage only.
 * Everything here is optional: without it the filters are plain links and the page is complete.
 */
(function () {
    "use strict";

    var STORAGE_KEY = "trygg-och-saker:agenda";
    var FILTERS = ["dag", "spar", "sal", "sprak"];
    var root = document.querySelector("[data-programme]");
    if (!root) {
        return;
    }
    var labels = root.dataset;

    /* Starred sessions: a list of session ids in localStorage, nothing on the server. */

    function readStarred() {
        try {
            var ids = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "[]");
            return Array.isArray(ids) ? ids.map(String).filter(function (id) { return /^\d+$/.test(id); }) : [];
        } catch (error) {
            return [];
        }
    }

    function writeStarred(ids) {
        try {
            window.localStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
        } catch (error) {
            /* Storage may be off (private mode); the stars then last as long as the page. */
        }
        document.dispatchEvent(new CustomEvent("programme:starred"));
    }

    function toggleStar(id) {
        var ids = readStarred();
        var index = ids.indexOf(id);
        if (index === -1) {
            ids.push(id);
        } else {
            ids.splice(index, 1);
        }
        writeStarred(ids);
        return index === -1;
    }

    function initStars() {
        root.querySelectorAll("[data-session-id][data-starrable]").forEach(function (session) {
            var slot = session.querySelector("[data-star-slot]");
            if (!slot || slot.querySelector("button")) {
                return;
            }
            var id = session.dataset.sessionId;
            var button = document.createElement("button");
            var text = document.createElement("span");
            button.type = "button";
            button.className = "star";
            button.dataset.star = id;
            text.textContent = labels.labelStar;
            button.appendChild(text);
            var title = document.getElementById("session-" + id + "-title");
            if (title) {
                button.setAttribute("aria-describedby", title.id);
            }
            button.addEventListener("click", function () {
                button.setAttribute("aria-pressed", String(toggleStar(id)));
            });
            slot.appendChild(button);
        });
        syncStars();
        document.addEventListener("programme:starred", syncStars);
        window.addEventListener("storage", function (event) {
            if (event.key === STORAGE_KEY) {
                document.dispatchEvent(new CustomEvent("programme:starred"));
            }
        });
    }

    function syncStars() {
        var starred = readStarred();
        root.querySelectorAll("button[data-star]").forEach(function (button) {
            button.setAttribute("aria-pressed", String(starred.indexOf(button.dataset.star) !== -1));
        });
    }

    /* Filters: the same links work without JavaScript; here they show and hide sessions in place. */

    function initFilters() {
        var schedule = root.querySelector("[data-programme-schedule]");
        if (!schedule) {
            return;
        }
        var links = Array.prototype.slice.call(schedule.querySelectorAll("a[data-filter]"));
        var baseUrl = schedule.dataset.baseUrl;

        function known(name, value) {
            return links.some(function (link) { return link.dataset.filter === name && link.dataset.value === value; });
        }

        function fromLinks() {
            var state = {};
            FILTERS.forEach(function (name) { state[name] = ""; });
            links.forEach(function (link) {
                if (link.getAttribute("aria-current") === "true") {
                    state[link.dataset.filter] = link.dataset.value;
                }
            });
            return state;
        }

        function fromLocation() {
            var params = new URLSearchParams(window.location.search);
            var state = {};
            FILTERS.forEach(function (name) {
                var value = params.get(name) || "";
                state[name] = known(name, value) ? value : "";
            });
            return state;
        }

        function urlFor(state) {
            var params = new URLSearchParams();
            FILTERS.forEach(function (name) {
                if (state[name]) {
                    params.set(name, state[name]);
                }
            });
            var query = params.toString();
            return query ? baseUrl + "?" + query : baseUrl;
        }

        /* The rule of ProgrammeFilters.matches: an empty value belongs to every day, track, room or language. */
        function matches(session, state) {
            return FILTERS.every(function (name) {
                var value = session.getAttribute("data-" + { dag: "day", spar: "track", sal: "room", sprak: "language" }[name]);
                return !state[name] || !value || value === state[name];
            });
        }

        function apply(state) {
            var shown = 0;
            schedule.querySelectorAll(".programme-day").forEach(function (day) {
                var visible = 0;
                day.querySelectorAll("[data-session-id]").forEach(function (session) {
                    var match = matches(session, state);
                    session.hidden = !match;
                    visible += match ? 1 : 0;
                });
                day.hidden = visible === 0;
                shown += visible;
            });
            links.forEach(function (link) {
                var name = link.dataset.filter;
                var next = Object.assign({}, state);
                next[name] = link.dataset.value;
                link.href = urlFor(next);
                if (state[name] === link.dataset.value) {
                    link.setAttribute("aria-current", "true");
                } else {
                    link.removeAttribute("aria-current");
                }
            });
            var active = FILTERS.some(function (name) { return state[name]; });
            var clear = schedule.querySelector("[data-filter-clear]");
            if (clear) {
                clear.hidden = !active;
            }
            schedule.classList.toggle("programme-schedule--list", Boolean(state.sal));
            var empty = schedule.querySelector("[data-programme-empty]");
            if (empty) {
                empty.hidden = shown > 0;
            }
            var count = schedule.querySelector("[data-programme-count]");
            if (count) {
                count.textContent = count.dataset.programmeCount.replace("{count}", String(shown));
            }
        }

        function choose(state) {
            apply(state);
            window.history.pushState({ programmeFilters: state }, "", urlFor(state));
        }

        schedule.addEventListener("click", function (event) {
            var link = event.target.closest("a[data-filter], [data-filter-clear] a");
            if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
                return;
            }
            event.preventDefault();
            var state = link.dataset.filter ? fromLinks() : {};
            FILTERS.forEach(function (name) { state[name] = state[name] || ""; });
            if (link.dataset.filter) {
                state[link.dataset.filter] = link.dataset.value;
            }
            choose(state);
        });
        window.addEventListener("popstate", function () {
            apply(fromLocation());
        });
    }

    /* "Now" and "Next": from each session's data-starts/data-ends, so the markers are right in cached HTML. */

    function initNowAndNext() {
        var sessions = Array.prototype.slice.call(root.querySelectorAll("[data-starts][data-ends]"));
        if (!sessions.length) {
            return;
        }
        var dayOf = new Intl.DateTimeFormat("sv-SE", { timeZone: labels.timeZone || undefined });

        function update() {
            var now = Date.now();
            var today = dayOf.format(now);
            var next = Infinity;
            sessions.forEach(function (session) {
                var starts = Date.parse(session.dataset.starts);
                if (!session.hasAttribute("data-cancelled") && starts > now && starts < next) {
                    next = starts;
                }
            });
            if (next !== Infinity && dayOf.format(next) !== today) {
                next = Infinity; /* nothing more today: no "Next" overnight */
            }
            sessions.forEach(function (session) {
                var starts = Date.parse(session.dataset.starts);
                var ends = Date.parse(session.dataset.ends);
                var state = "";
                if (!session.hasAttribute("data-cancelled")) {
                    if (starts <= now && now < ends) {
                        state = "now";
                    } else if (starts === next) {
                        state = "next";
                    }
                }
                mark(session, state);
            });
        }

        function mark(session, state) {
            var slot = session.querySelector("[data-status-slot]");
            var marker = slot && slot.querySelector("[data-time-marker]");
            session.classList.toggle("is-now", state === "now");
            if (!slot || (marker && marker.dataset.timeMarker === state)) {
                return;
            }
            if (marker) {
                marker.remove();
            }
            if (state) {
                marker = document.createElement("strong");
                marker.className = "badge badge--" + state;
                marker.dataset.timeMarker = state;
                marker.textContent = state === "now" ? labels.labelNow : labels.labelNext;
                slot.insertBefore(marker, slot.firstChild);
            }
        }

        update();
        window.setInterval(update, 30 * 1000);
    }

    /* My agenda: the page holds every session, hidden; the starred ones are shown. */

    function initAgenda() {
        var agenda = root.querySelector("[data-agenda]");
        if (!agenda) {
            return;
        }
        var empty = agenda.querySelector("[data-agenda-empty]");
        var download = agenda.querySelector("[data-agenda-download]");
        var icsLink = download && download.querySelector("a");

        function render() {
            var starred = readStarred();
            var shown = [];
            agenda.querySelectorAll("[data-agenda-day]").forEach(function (day) {
                var visible = 0;
                day.querySelectorAll("[data-session-id]").forEach(function (session) {
                    var on = starred.indexOf(session.dataset.sessionId) !== -1;
                    session.hidden = !on;
                    if (on) {
                        visible += 1;
                        shown.push(Number(session.dataset.sessionId));
                    }
                });
                day.hidden = visible === 0;
            });
            shown.sort(function (a, b) { return a - b; });
            if (empty) {
                empty.hidden = shown.length > 0;
            }
            if (download) {
                download.hidden = shown.length === 0;
                icsLink.href = icsLink.dataset.icsBase + "?sessions=" + shown.join(",");
            }
        }

        agenda.addEventListener("click", function (event) {
            var button = event.target.closest("button[data-star]");
            if (button && button.getAttribute("aria-pressed") === "false") {
                /* The session leaves the agenda, and with it the focused button: keep the keyboard in place. */
                window.setTimeout(function () {
                    agenda.querySelector("#agenda-title").focus();
                });
            }
        });
        render();
        document.addEventListener("programme:starred", render);
    }

    initStars();
    initFilters();
    initNowAndNext();
    initAgenda();
})();
