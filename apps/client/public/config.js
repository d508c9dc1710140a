// Run-time settings, loaded before the app. The client image replaces this
// file with one rendered from its API_BASE_URL; empty means same origin.
window.PING_PONG_CONFIG = { apiBaseUrl: '' };
