// Re-exports only.
export { registerApi } from './api/verify-access-token.ts';
export { createDemoApp, type DemoAppOptions } from './create-demo-app.ts';
export { demoClientRegistration } from './client-registration.ts';
