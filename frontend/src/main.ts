import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// Blink (WebView2, Chromium) gets thin styled scrollbars; WebKit keeps its
// native overlay ones (see app.css). Blink pages have window.chrome.
if ('chrome' in window) document.documentElement.classList.add('thin-scrollbars');

// Svelte 5: components are mounted, not constructed (`new App()` throws).
const app = mount(App, { target: document.getElementById('app')! });

export default app;
