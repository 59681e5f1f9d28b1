// Preloaded (`node --require`) into every node process of a phase by `npm run bench -- --cpu-prof
// DIR`: profiles the process with the in-process inspector and writes
// $CONSUL_MESH_CPU_PROF_DIR/<pid>.cpuprofile when it ends. Unlike `node --cpu-prof`, it also writes
// the profile when the process is ended by a signal: the engine stops the dynamic-provider host
// (and plugins) with one, and `--cpu-prof` writes nothing then.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const inspector = require("node:inspector");

const dir = process.env.CONSUL_MESH_CPU_PROF_DIR;
if (dir) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.setSamplingInterval", { interval: 500 });
    session.post("Profiler.enable");
    session.post("Profiler.start");
    let written = false;
    const write = () => {
        if (written) return;
        written = true;
        // An in-process session answers synchronously: the profile is written before the process ends.
        session.post("Profiler.stop", (err, result) => {
            if (err || !result) return;
            fs.mkdirSync(dir, { recursive: true });
            const name = `${path.basename(process.argv[1] ?? "node")}-${process.pid}.cpuprofile`;
            fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
        });
    };
    process.on("exit", write);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
        process.once(signal, () => {
            write();
            process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
        });
    }
}
