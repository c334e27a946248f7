// The contract served: the engine as a long-running service (events, background work, live
// sources), the handlers of the method table, the dispatcher that validates both ways, and the
// channels it is served on (MessagePorts here; HTTP in app/server).
export { AnswerRunner } from './answers.ts';
export { electronPortChannel, nodePortChannel, serveChannel, type ElectronPortLike, type EngineChannel } from './channel.ts';
export { Dispatcher, type CallOutcome } from './dispatcher.ts';
export { createHandlers, type Handler, type Handlers } from './handlers.ts';
export { EngineHost, type HostOptions } from './host.ts';
export { runEngineProcess } from './engine-process.ts';
export { LocalApiSwitch } from './local-api.ts';
export { Service, type ServiceOptions } from './service.ts';
