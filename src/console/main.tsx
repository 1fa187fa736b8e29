import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { App } from './app.js';

const root = document.getElementById('app')!;
// The page's "Loading" text goes: Preact renders into an empty element.
root.replaceChildren();
render(<App />, root);
