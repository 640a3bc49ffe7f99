// The door's scanner: camera or keyboard-wedge scans, a full-screen verdict, search for lost tickets, and scanning
// that carries on without a network.
//
// Online, every scan is the server's decision (POST /api/checkin/redeem with a fresh nonce). When the network is
// gone or the server does not answer in time, the page decides from the list's offline data (SHA-256 hashes of the
// tickets' secrets, refreshed every minute): a known hash not yet admitted, as far as this device knows, is let in.
// Such scans wait in IndexedDB with their nonce and scan time and are sent when the network is back; the server
// keeps the earliest admission, and where its answer differs from the device's the page lists a conflict.

const config = JSON.parse(document.getElementById("scan-config").textContent);
const messages = config.messages;
const $ = (id) => document.getElementById(id);

const REQUEST_TIMEOUT_MS = 3000;
const REFRESH_OFFLINE_MS = 60_000;
const REFRESH_STATUS_MS = 15_000;
const UPLOAD_EVERY_MS = 10_000;
const SAME_CODE_PAUSE_MS = 3000; // the camera sees a held ticket many times a second
const VERDICT_SHOWN_MS = 4000;
const TOKEN_KEY = "trygg-scan-token";
const LIST_KEY = "trygg-scan-list";
const LISTS_KEY = "trygg-scan-lists";

function say(key, values = {}) {
    return (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function formatTime(iso) {
    return iso ? new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) : "";
}

function randomNonce() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- Storage: the offline data, the upload queue and this device's own admissions, in IndexedDB -----------------

const store = {
    db: null,
    open() {
        return new Promise((resolve, reject) => {
            const request = indexedDB.open("trygg-scan", 1);
            request.onupgradeneeded = () => {
                const db = request.result;
                db.createObjectStore("snapshots", { keyPath: "list" });
                db.createObjectStore("queue", { keyPath: "nonce" });
                db.createObjectStore("admitted", { keyPath: "key" });
                db.createObjectStore("conflicts", { keyPath: "nonce" });
            };
            request.onsuccess = () => resolve((this.db = request.result));
            request.onerror = () => reject(request.error);
        });
    },
    run(name, mode, action) {
        return new Promise((resolve, reject) => {
            const transaction = this.db.transaction(name, mode);
            const request = action(transaction.objectStore(name));
            transaction.oncomplete = () => resolve(request?.result);
            transaction.onerror = () => reject(transaction.error);
        });
    },
    get: (name, key) => store.run(name, "readonly", (s) => s.get(key)),
    all: (name) => store.run(name, "readonly", (s) => s.getAll()),
    put: (name, value) => store.run(name, "readwrite", (s) => s.put(value)),
    delete: (name, key) => store.run(name, "readwrite", (s) => s.delete(key)),
};

// --- The API ---------------------------------------------------------------------------------------------------

class Offline extends Error {}

class Refused extends Error {
    constructor(status, detail) {
        super(detail);
        this.status = status;
    }
}

function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
}

async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (navigator.onLine === false) throw new Offline();
    let response;
    try {
        response = await fetch(config.api + path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "same-origin",
            cache: "no-store",
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
    } catch {
        throw new Offline();
    }
    if (response.status >= 500 || response.status === 429) throw new Offline();
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Refused(response.status, data.detail || response.statusText);
    return data;
}

// --- State -----------------------------------------------------------------------------------------------------

const state = {
    lists: [],
    list: null, // the chosen list
    tickets: new Map(), // hash -> {attendee, checked_in} from the offline data
    snapshotAt: null,
    admitted: new Set(), // hashes admitted on this device at this list
    counts: null,
    queued: 0,
    conflicts: [],
    online: navigator.onLine !== false,
};

function showOnly(...ids) {
    for (const id of ["signin", "pick", "scan", "not-allowed"]) $(id).hidden = !ids.includes(id);
}

function renderStatus() {
    $("network").textContent = state.online ? say("online") : say("offline");
    $("network").classList.toggle("scanner-network--offline", !state.online);
    $("queue").textContent = say("queued", { count: state.queued });
    if (state.counts) {
        $("counts").textContent = say("arrived", state.counts);
    }
    $("offline-data").textContent = state.snapshotAt
        ? say("offline_data", { count: state.tickets.size, time: formatTime(state.snapshotAt) })
        : say("no_offline_data");
    const conflicts = $("conflicts");
    conflicts.replaceChildren(
        ...state.conflicts.map((conflict) => {
            const item = document.createElement("li");
            item.textContent = say("conflict_line", {
                name: conflict.name,
                local: say(conflict.local),
                server: say(conflict.server),
            });
            return item;
        }),
    );
    if (state.conflicts.length) {
        const heading = document.createElement("li");
        heading.className = "scanner-conflicts__count";
        heading.textContent = say("conflicts", { count: state.conflicts.length });
        conflicts.prepend(heading);
    }
}

// --- Lists -----------------------------------------------------------------------------------------------------

async function loadLists() {
    try {
        state.lists = await api("GET", "lists");
        localStorage.setItem(LISTS_KEY, JSON.stringify(state.lists));
    } catch (error) {
        if (error instanceof Refused && error.status === 401) {
            localStorage.removeItem(TOKEN_KEY);
            showOnly("signin");
            return;
        }
        if (error instanceof Refused && error.status === 403) {
            $("not-allowed").textContent = say("not_allowed");
            showOnly("not-allowed");
            return;
        }
        state.lists = JSON.parse(localStorage.getItem(LISTS_KEY) || "[]"); // offline: the lists seen last
    }
    $("unpair").hidden = !localStorage.getItem(TOKEN_KEY);
    const chosen = state.lists.find((list) => String(list.id) === localStorage.getItem(LIST_KEY));
    if (chosen) await chooseList(chosen);
    else showPicker();
}

function showPicker() {
    const items = state.lists.map((list) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "scanner-button scanner-button--list";
        button.textContent = list.name;
        const edition = document.createElement("span");
        edition.className = "scanner-button__sub";
        edition.textContent = list.edition.name;
        button.append(edition);
        button.addEventListener("click", () => chooseList(list));
        item.append(button);
        return item;
    });
    if (!items.length) {
        const item = document.createElement("li");
        item.textContent = say("no_lists");
        items.push(item);
    }
    $("lists").replaceChildren(...items);
    $("change-list").hidden = true;
    $("list-name").textContent = "";
    showOnly("pick");
}

async function chooseList(list) {
    state.list = list;
    localStorage.setItem(LIST_KEY, String(list.id));
    $("list-name").textContent = list.name;
    $("change-list").hidden = state.lists.length < 2;
    state.admitted = new Set(
        (await store.all("admitted")).filter((entry) => entry.list === list.id).map((entry) => entry.hash),
    );
    const snapshot = await store.get("snapshots", list.id);
    if (snapshot) useSnapshot(snapshot);
    showOnly("scan");
    renderStatus();
    $("code").focus();
    refreshOfflineData();
    refreshStatus();
}

function useSnapshot(snapshot) {
    state.tickets = new Map(snapshot.tickets.map((ticket) => [ticket.hash, ticket]));
    state.snapshotAt = snapshot.generated_at;
}

async function refreshOfflineData() {
    if (!state.list) return;
    try {
        const data = await api("GET", `lists/${state.list.id}/offline`);
        const snapshot = { list: state.list.id, generated_at: data.generated_at, tickets: data.tickets };
        await store.put("snapshots", snapshot);
        useSnapshot(snapshot);
    } catch {
        // Offline or refused: the data kept from before stays in use.
    }
    renderStatus();
}

async function refreshStatus() {
    if (!state.list) return;
    try {
        const { expected, arrived } = await api("GET", `lists/${state.list.id}/status`);
        state.counts = { expected, arrived };
    } catch {
        // Offline: the last counts stay, raised by this device's own admissions below.
    }
    renderStatus();
}

// --- Verdicts ----------------------------------------------------------------------------------------------------

const TONE = { ok: "ok", already_checked_in: "warn" };
let hideTimer = null;
let audio = null;

function signal(tone) {
    navigator.vibrate?.(tone === "ok" ? [80] : tone === "warn" ? [80, 60, 80] : [300]);
    try {
        audio ??= new AudioContext();
        const notes = tone === "ok" ? [880] : tone === "warn" ? [520, 520] : [220];
        notes.forEach((frequency, index) => {
            const oscillator = audio.createOscillator();
            const gain = audio.createGain();
            const start = audio.currentTime + index * 0.18;
            oscillator.frequency.value = frequency;
            gain.gain.setValueAtTime(0.25, start);
            gain.gain.exponentialRampToValueAtTime(0.001, start + (tone === "deny" ? 0.45 : 0.15));
            oscillator.connect(gain).connect(audio.destination);
            oscillator.start(start);
            oscillator.stop(start + 0.5);
        });
    } catch {
        // No sound on this device: the colour and the words say it.
    }
}

function showVerdict(answer, { offline = false, error = "" } = {}) {
    const tone = error ? "deny" : (TONE[answer.status] ?? "deny");
    const attendee = answer?.attendee;
    const verdict = $("verdict");
    verdict.className = `verdict verdict--${tone}`;
    verdict.dataset.status = error ? "error" : answer.status;
    $("verdict-title").textContent = error ? error : say(answer.status);
    $("verdict-name").textContent = attendee?.name ?? "";
    $("verdict-organisation").textContent = attendee?.organisation ?? "";
    $("verdict-type").textContent = attendee?.ticket_type ?? "";
    $("verdict-needs").textContent = attendee?.dietary_needs ? say("dietary_needs", { needs: attendee.dietary_needs }) : "";
    let detail = "";
    if (answer?.status === "already_checked_in" && answer.checked_in_at) {
        const time = formatTime(answer.checked_in_at);
        detail = answer.checked_in_by ? say("checked_in_at_by", { time, by: answer.checked_in_by }) : say("checked_in_at", { time });
    }
    if (offline) detail = `${detail} ${say("decided_offline")}`.trim();
    $("verdict-detail").textContent = detail;
    verdict.hidden = false;
    signal(tone);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideVerdict, VERDICT_SHOWN_MS);
}

function hideVerdict() {
    clearTimeout(hideTimer);
    $("verdict").hidden = true;
}

// --- Scanning ----------------------------------------------------------------------------------------------------

function listIsOpen(list, at) {
    return (!list.opens_at || at >= new Date(list.opens_at)) && (!list.closes_at || at < new Date(list.closes_at));
}

async function decideOffline(secret, scannedAt) {
    // Hashing needs a secure context (HTTPS or localhost); without one the scan is still kept and sent later.
    const hash = crypto.subtle ? await sha256(secret) : "";
    const ticket = state.tickets.get(hash);
    if (!ticket) return { hash, answer: { status: "unknown", attendee: null } };
    const answer = { status: "ok", attendee: ticket.attendee, checked_in_at: scannedAt.toISOString() };
    if (!listIsOpen(state.list, scannedAt)) answer.status = "wrong_list";
    else if (!state.list.allow_reentry && (ticket.checked_in || state.admitted.has(hash))) {
        answer.status = "already_checked_in";
        answer.checked_in_at = null;
    }
    return { hash, answer };
}

async function remember(hash, answer) {
    if (!hash || !["ok", "already_checked_in"].includes(answer.status) || state.admitted.has(hash)) return;
    state.admitted.add(hash);
    await store.put("admitted", { key: `${state.list.id}:${hash}`, list: state.list.id, hash });
}

async function scan(code) {
    const secret = code.trim();
    if (!secret || !state.list) return;
    const scannedAt = new Date();
    const nonce = randomNonce();
    try {
        const answer = await api("POST", "redeem", { secret, list: String(state.list.id), nonce });
        setOnline(true);
        showVerdict(answer);
        if (answer.attendee && crypto.subtle) remember(await sha256(secret), answer);
        if (answer.status === "ok" && state.counts) state.counts.arrived += 1;
        renderStatus();
        uploadQueue();
        return;
    } catch (error) {
        if (error instanceof Refused) {
            showVerdict(null, { error: say("server_error", { error: error.message }) });
            return;
        }
    }
    // No answer in time: this device decides, and the scan waits to be sent with the same nonce (if the server
    // did get the first attempt, the nonce makes the upload return that answer and change nothing).
    setOnline(false);
    const { hash, answer } = await decideOffline(secret, scannedAt);
    await store.put("queue", {
        nonce,
        secret,
        list: state.list.id,
        scanned_at: scannedAt.toISOString(),
        local: answer.status,
        name: answer.attendee?.name ?? "",
    });
    await remember(hash, answer);
    if (answer.status === "ok" && state.counts) state.counts.arrived += 1;
    state.queued = (await store.all("queue")).length;
    showVerdict(answer, { offline: true });
    renderStatus();
}

let uploading = false;

async function uploadQueue() {
    if (uploading) return;
    uploading = true;
    try {
        const waiting = (await store.all("queue")).sort((a, b) => a.scanned_at.localeCompare(b.scanned_at));
        for (const scanned of waiting) {
            let answer;
            try {
                answer = await api("POST", "redeem", {
                    secret: scanned.secret,
                    list: String(scanned.list),
                    nonce: scanned.nonce,
                    scanned_at: scanned.scanned_at,
                });
            } catch (error) {
                if (error instanceof Offline) break; // try again later, in the same order
                answer = { status: "unknown", attendee: null, detail: error.message };
            }
            if (answer.status !== scanned.local) {
                const conflict = {
                    nonce: scanned.nonce,
                    name: answer.attendee?.name || scanned.name || "?",
                    local: scanned.local,
                    server: answer.status,
                };
                await store.put("conflicts", conflict);
            }
            await store.delete("queue", scanned.nonce);
            setOnline(true);
        }
    } finally {
        uploading = false;
        state.queued = (await store.all("queue")).length;
        state.conflicts = await store.all("conflicts");
        renderStatus();
    }
}

function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    renderStatus();
    if (online) {
        uploadQueue();
        refreshStatus();
    }
}

// --- The camera --------------------------------------------------------------------------------------------------

let stream = null;
let detector = null;
let lastCode = "";
let lastSeen = 0;

function loadScript(src) {
    return new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => reject(new Error(src));
        document.head.append(script);
    });
}

async function makeDetector() {
    if ("BarcodeDetector" in window) {
        const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
        if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
    }
    // No built-in detector (desktop Chromium on Linux, Firefox, older Safari): ZXing's WebAssembly, from our files.
    await loadScript(config.decoder);
    const { BarcodeDetector, prepareZXingModule } = window.BarcodeDetectionAPI;
    prepareZXingModule({
        overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? config.wasm : prefix + path) },
        fireImmediately: true,
    });
    return new BarcodeDetector({ formats: ["qr_code"] });
}

async function startCamera() {
    const status = $("camera-status");
    status.textContent = say("camera_starting");
    try {
        detector ??= await makeDetector();
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    } catch (error) {
        status.textContent = say("camera_error", { error: error.message || error.name });
        return;
    }
    const video = $("camera");
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => {});
    $("camera-start").hidden = true;
    $("camera-stop").hidden = false;
    $("code").inputMode = "none"; // a hardware scanner may still type; no on-screen keyboard over the camera
    status.textContent = say("camera_running");
    watch();
}

function stopCamera() {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    $("code").removeAttribute("inputmode");
    $("camera").hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
    $("camera-status").textContent = "";
}

async function watch() {
    const video = $("camera");
    while (stream) {
        if (video.readyState >= 2) {
            try {
                const [code] = await detector.detect(video);
                const now = Date.now();
                if (code?.rawValue) {
                    if (code.rawValue !== lastCode || now - lastSeen > SAME_CODE_PAUSE_MS) scan(code.rawValue);
                    lastCode = code.rawValue;
                    lastSeen = now;
                }
            } catch {
                // A frame the decoder could not read: the next one will do.
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 120));
    }
}

// --- Search for a lost ticket ------------------------------------------------------------------------------------

async function searchTickets(query) {
    const status = $("search-status");
    const results = $("search-results");
    results.replaceChildren();
    let data;
    try {
        data = await api("GET", `lists/${state.list.id}/search?q=${encodeURIComponent(query)}`);
    } catch (error) {
        status.textContent = error instanceof Offline ? say("search_offline") : error.message;
        return;
    }
    status.textContent = data.results.length ? "" : say("search_empty");
    results.replaceChildren(
        ...data.results.map((hit) => {
            const item = document.createElement("li");
            const text = document.createElement("span");
            text.textContent = [hit.attendee.name, hit.attendee.organisation, hit.attendee.ticket_type]
                .filter(Boolean)
                .join(" · ");
            const button = document.createElement("button");
            button.type = "button";
            button.className = "scanner-button";
            button.textContent = hit.checked_in ? say("checked_in") : say("check_in");
            button.disabled = hit.checked_in && !state.list.allow_reentry;
            button.addEventListener("click", () => checkInFound(hit, button));
            item.append(text, button);
            return item;
        }),
    );
}

async function checkInFound(hit, button) {
    button.disabled = true;
    try {
        const answer = await api("POST", `lists/${state.list.id}/checkin/${hit.ticket}`, { nonce: randomNonce() });
        showVerdict(answer);
        if (answer.status === "ok" && state.counts) state.counts.arrived += 1;
        button.textContent = say("checked_in");
        renderStatus();
    } catch (error) {
        button.disabled = false;
        showVerdict(null, { error: error instanceof Offline ? say("search_offline") : error.message });
    }
}

// --- Wiring ------------------------------------------------------------------------------------------------------

function pairFromAddress() {
    // The admin's pairing link: /scan/#token=… (a fragment never reaches a server or its logs).
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    if (token) {
        localStorage.setItem(TOKEN_KEY, token);
        history.replaceState(null, "", location.pathname);
    }
}

function wire() {
    $("code-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const input = $("code");
        const code = input.value;
        input.value = "";
        if (code.trim()) scan(code);
        else hideVerdict();
    });
    // A USB or Bluetooth scanner types the code and Enter wherever the focus is: outside the text fields, the
    // keys go to the code field.
    document.addEventListener("keydown", (event) => {
        const target = event.target;
        if (event.key === "Escape") return hideVerdict();
        if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
        if (state.list && !$("scan").hidden && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
            $("code").focus();
        }
    });
    $("verdict").addEventListener("click", () => {
        hideVerdict();
        $("code").focus();
    });
    $("camera-start").addEventListener("click", startCamera);
    $("camera-stop").addEventListener("click", stopCamera);
    $("change-list").addEventListener("click", showPicker);
    $("search-form").addEventListener("submit", (event) => {
        event.preventDefault();
        searchTickets($("search-q").value.trim());
    });
    $("pair-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        localStorage.setItem(TOKEN_KEY, $("pair-token").value.trim());
        $("pair-error").textContent = "";
        await loadLists();
        if (!localStorage.getItem(TOKEN_KEY)) {
            showOnly("signin");
            $("pair-error").textContent = say("pair_failed");
        }
    });
    $("unpair").addEventListener("click", () => {
        localStorage.removeItem(TOKEN_KEY);
        localStorage.removeItem(LIST_KEY);
        location.reload();
    });
    window.addEventListener("online", () => setOnline(true));
    window.addEventListener("offline", () => setOnline(false));
    setInterval(refreshOfflineData, REFRESH_OFFLINE_MS);
    setInterval(refreshStatus, REFRESH_STATUS_MS);
    setInterval(uploadQueue, UPLOAD_EVERY_MS);
}

async function main() {
    pairFromAddress();
    wire();
    await store.open();
    state.queued = (await store.all("queue")).length;
    state.conflicts = await store.all("conflicts");
    renderStatus();
    await loadLists();
    uploadQueue();
    if ("serviceWorker" in navigator) {
        navigator.serviceWorker.register(config.worker, { scope: config.scope }).catch(() => {});
    }
}

main();
