// The scanner page's service worker: keeps the page and its files so that the scanner opens without a network.
// The page itself is fetched from the network first (a new release shows at once) and from the cache when there
// is no network; the files have content-hashed names and come from the cache. Nothing else is touched: the
// check-in API always goes to the network, and the tickets the page needs offline are kept by the page.
const CACHE = "{{ cache_name }}";
const SHELL = {{ shell|safe }};
const FILES = {{ files|safe }};

self.addEventListener("install", (event) => {
    event.waitUntil(
        caches.open(CACHE).then((cache) => cache.addAll([SHELL, ...FILES])).then(() => self.skipWaiting()),
    );
});

self.addEventListener("activate", (event) => {
    event.waitUntil(
        caches.keys()
            .then((names) => Promise.all(names.filter((name) => name.startsWith("scan-") && name !== CACHE).map((name) => caches.delete(name))))
            .then(() => self.clients.claim()),
    );
});

self.addEventListener("fetch", (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== "GET" || url.origin !== location.origin) return;
    if (url.pathname === SHELL) {
        event.respondWith(
            fetch(event.request)
                .then((response) => {
                    if (response.ok) {
                        const copy = response.clone();
                        caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
                    }
                    return response;
                })
                .catch(() => caches.match(SHELL)),
        );
    } else if (FILES.includes(url.pathname)) {
        event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(event.request)));
    }
});
