// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { setupJestCanvasMock } from 'jest-canvas-mock';

// .config/jest-setup.js stubs HTMLCanvasElement.getContext with a no-op, which undoes jest-canvas-mock (a setupFile,
// so it ran first); @grafana/ui measures text and @grafana/flamegraph draws on a 2D context: install the mock again.
setupJestCanvasMock();
