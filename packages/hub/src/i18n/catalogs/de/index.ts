import account from './account.ts';
import bridge from './bridge.ts';
import errors from './errors.ts';
import frame from './frame.ts';
import flows from './flows.ts';
import kratos from './kratos.ts';
import methods from './methods.ts';
import password from './password.ts';
import proxy from './proxy.ts';
import upstream from './upstream.ts';
import verify from './verify.ts';
import consoleUsers from './console-users.ts';
import console from './console.ts';

/** Every message of the hub's pages, by area (the files beside this one). */
export const de = { ...frame, ...flows, ...kratos, ...bridge, ...errors, ...proxy, ...account, ...methods, ...upstream, ...verify, ...password, ...console, ...consoleUsers } as const;
