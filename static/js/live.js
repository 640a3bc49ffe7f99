/* The live reveal. The page follows its award over Server-Sent Events and shows the winner the moment it is
   published, without a reload; when the stream cannot connect it asks /state every few seconds instead, and it
   catches up at once when the device comes back online. The big screen keeps itself awake (Wake Lock API) and
   offers full screen; the editors' rehearsal plays the draft's reveal on request and never connects.
   Every state carries a version: an older one than shown is ignored. */
(function () {
    "use strict";

    const root = document.querySelector("[data-live]");
    if (!root) {
        return;
    }

    const mode = root.dataset.liveMode;
    const slot = root.querySelector("[data-live-winner-slot]");
    const list = root.querySelector("[data-live-nominees]");
    const statusLine = root.querySelector("[data-live-status]");
    const winnerTemplate = root.querySelector("template[data-live-winner-template]");
    const nomineeTemplate = root.querySelector("template[data-live-nominee-template]");

    let version = Number(root.dataset.liveVersion) || 0;
    let shownWinnerId = root.dataset.liveWinnerId || ""; // as the server rendered the page
    let shownWinnerKey = null; // the winner's details last rendered here; null: the server's rendering

    function jitter(from, to) {
        return from + Math.random() * (to - from);
    }

    function setStatus(name) {
        const key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
        statusLine.textContent = statusLine.dataset[key] || "";
        root.dataset.liveConnection = name;
    }

    // --- Rendering ---------------------------------------------------------------------------------------------

    function fillText(element, field, value) {
        const target = element.querySelector('[data-field="' + field + '"]');
        if (!target) {
            return;
        }
        if (value) {
            target.textContent = value;
        } else {
            target.remove();
        }
    }

    function fillPhoto(element, image) {
        const photo = element.querySelector('[data-field="photo"]');
        if (!photo) {
            return;
        }
        if (image) {
            photo.src = image.url;
            photo.width = image.width;
            photo.height = image.height;
        } else {
            photo.remove();
        }
    }

    function winnerCard(winner) {
        const card = winnerTemplate.content.firstElementChild.cloneNode(true);
        card.setAttribute("data-winner", "");
        fillPhoto(card, winner.image);
        fillText(card, "name", winner.name);
        fillText(card, "organisation", winner.organisation);
        fillText(card, "summary", winner.summary);
        if (winner.motivation) {
            fillText(card, "motivation", winner.motivation);
        } else {
            card.querySelector('[data-field="motivation-quote"]')?.remove();
        }
        return card;
    }

    function nomineeItem(nominee) {
        const item = nomineeTemplate.content.firstElementChild.cloneNode(true);
        item.dataset.nomineeId = String(nominee.id);
        fillPhoto(item, nominee.image);
        fillText(item, "name", nominee.name);
        fillText(item, "organisation", nominee.organisation);
        return item;
    }

    function renderNominees(nominees, winnerId) {
        const wanted = nominees.map((nominee) => String(nominee.id)).join(",");
        const shown = Array.from(list.children, (item) => item.dataset.nomineeId).join(",");
        if (wanted !== shown) {
            list.replaceChildren(...nominees.map(nomineeItem));
        }
        for (const item of list.children) {
            item.classList.toggle("is-winner", item.dataset.nomineeId === winnerId);
        }
    }

    function render(state, animate) {
        const winner = state.winner;
        const winnerId = winner ? String(winner.id) : "";
        const winnerKey = winner ? JSON.stringify(winner) : "";
        renderNominees(state.nominees || [], winnerId);
        const asServerRendered = shownWinnerKey === null && winnerId === shownWinnerId;
        if (!asServerRendered && winnerKey !== shownWinnerKey) {
            slot.replaceChildren();
            if (winner) {
                const card = winnerCard(winner);
                if (animate && winnerId !== shownWinnerId) {
                    card.classList.add("is-entering");
                }
                slot.appendChild(card);
            }
        }
        shownWinnerKey = winnerKey;
        shownWinnerId = winnerId;
        root.classList.toggle("is-revealed", Boolean(winner));
    }

    function apply(state) {
        if (!state || typeof state.version !== "number" || state.version < version) {
            return;
        }
        version = state.version;
        render(state, true);
    }

    // --- Keeping the big screen awake, and full screen ----------------------------------------------------------

    let wakeLock = null;

    function keepAwake() {
        if (!("wakeLock" in navigator) || wakeLock || document.visibilityState !== "visible") {
            return;
        }
        navigator.wakeLock.request("screen").then(
            (lock) => {
                wakeLock = lock;
                lock.addEventListener("release", () => {
                    wakeLock = null;
                });
            },
            () => {} // refused (battery saver, no permission): the screen's own settings decide
        );
    }

    function setUpScreen() {
        keepAwake();
        document.addEventListener("visibilitychange", keepAwake);
        document.addEventListener("click", keepAwake);
        const button = document.querySelector("[data-live-fullscreen]");
        if (button && document.fullscreenEnabled) {
            const update = () => {
                button.hidden = Boolean(document.fullscreenElement);
            };
            button.addEventListener("click", () => {
                document.documentElement.requestFullscreen().catch(() => {});
            });
            document.addEventListener("fullscreenchange", update);
            update();
        }
    }

    // --- The rehearsal ------------------------------------------------------------------------------------------

    function setUpRehearsal() {
        const draft = JSON.parse(document.getElementById("live-rehearsal-state").textContent);
        const waiting = Object.assign({}, draft, { revealed: false, winner: null });
        setStatus("rehearsal");
        document.querySelector("[data-live-rehearse]").addEventListener("click", () => render(draft, true));
        document.querySelector("[data-live-rehearse-reset]").addEventListener("click", () => render(waiting, false));
    }

    // --- Following the state: the stream, and /state when the stream cannot connect -----------------------------

    let source = null;
    let streamOpen = false;
    let polling = false;
    let pollTimer = null;
    let reconnectTimer = null;

    function fetchState() {
        return fetch(root.dataset.liveStateUrl, { cache: "no-store", headers: { Accept: "application/json" } })
            .then((response) => (response.ok ? response.json() : null))
            .then((state) => {
                if (state) {
                    apply(state);
                }
            })
            .catch(() => {});
    }

    function startPolling() {
        if (polling) {
            return;
        }
        polling = true;
        const next = () => {
            pollTimer = setTimeout(() => {
                fetchState().then(() => {
                    if (polling) {
                        next();
                    }
                });
            }, jitter(3000, 6000));
        };
        next();
    }

    function stopPolling() {
        polling = false;
        clearTimeout(pollTimer);
    }

    function fallBackToPolling() {
        // The stream is refused (an error page) or held back (a buffering proxy, a server without streaming):
        // /state meanwhile, and the stream again later.
        if (source) {
            source.close();
            source = null;
        }
        streamOpen = false;
        setStatus("polling");
        startPolling();
        reconnectTimer = setTimeout(connect, jitter(15000, 30000));
    }

    function connect() {
        clearTimeout(reconnectTimer);
        if (source) {
            source.close();
        }
        if (!("EventSource" in window)) {
            setStatus("polling");
            startPolling();
            return;
        }
        streamOpen = false;
        source = new EventSource(root.dataset.liveStreamUrl);
        const current = source;
        // The server sends the current state the moment a stream opens: silence means the events are held up.
        const silence = setTimeout(() => {
            if (current === source && !streamOpen) {
                fallBackToPolling();
            }
        }, 10000);
        source.addEventListener("state", (event) => {
            clearTimeout(silence);
            streamOpen = true;
            setStatus("live");
            stopPolling();
            try {
                apply(JSON.parse(event.data));
            } catch (error) {
                // a damaged event: the next one, or /state, brings the state
            }
        });
        source.addEventListener("error", () => {
            if (current !== source) {
                return;
            }
            streamOpen = false;
            if (source.readyState === EventSource.CLOSED) {
                clearTimeout(silence);
                fallBackToPolling();
            } else {
                setStatus("reconnecting"); // the browser reconnects by itself after the server's `retry`
                startPolling();
            }
        });
    }

    function catchUp() {
        // Back online, or back from a locked phone screen: if the stream is down, ask at once and reconnect.
        if (!source || !streamOpen || source.readyState !== EventSource.OPEN) {
            fetchState();
            connect();
        }
    }

    if (mode === "rehearsal") {
        setUpScreen();
        setUpRehearsal();
        return;
    }
    if (mode === "screen") {
        setUpScreen();
    }
    setStatus("connecting");
    connect();
    window.addEventListener("online", catchUp);
    document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") {
            catchUp();
        }
    });
})();
