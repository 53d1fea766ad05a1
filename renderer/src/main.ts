/** Mounts App.svelte and the global stylesheets. */
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/theme.css';
import './styles/app.css';
import './styles/states.css';
import './styles/dialogs.css';

// A file or link dropped on the window must not open in it (the shell refuses the navigation too).
// A screen that accepts drops handles them itself, before they reach the window.
for (const type of ['dragover', 'drop'] as const) {
  window.addEventListener(type, (event) => {
    if (event.defaultPrevented) return; // a drop zone took it
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
  });
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
