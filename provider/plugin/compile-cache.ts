// Imported first by main.ts: switches on Node's on-disk compile cache (as NODE_COMPILE_CACHE does;
// NODE_DISABLE_COMPILE_CACHE turns it off) before the plugin's dependencies load, so later plugin
// processes compile @pulumi/pulumi's protobuf code, grpc and zod from cache (module loading is about
// a fifth of a short run's CPU in the plugin; see the README's Performance section).
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();
