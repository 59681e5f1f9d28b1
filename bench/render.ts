// `npx ts-node --transpile-only bench/render.ts bench/results/<timestamp>.json`: writes the markdown
// tables (.md) and the chart (.svg and .png) of a results file again, beside it (after a change of the
// rendering, or for a file from another machine).
import * as fs from "node:fs";
import { renderChart } from "./lib/chart";
import { renderMarkdown, type BenchResults } from "./lib/report";

async function main(): Promise<void> {
    for (const file of process.argv.slice(2)) {
        const results = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults;
        fs.writeFileSync(file.replace(/\.json$/, ".md"), renderMarkdown(results) + "\n");
        const chart = await renderChart(results);
        fs.writeFileSync(file.replace(/\.json$/, ".svg"), chart.svg);
        fs.writeFileSync(file.replace(/\.json$/, ".png"), chart.png);
        console.log(`${file}: .md, .svg and .png written`);
    }
}

void main();
