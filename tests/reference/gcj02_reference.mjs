// Reference GCJ-02 forward transform for tst_geo: reads "lon lat" lines on stdin and prints
// "gcjLon gcjLat" per line using coordtransform's wgs84togcj02, at full double precision.
import { createRequire } from 'module';
import { readFileSync } from 'fs';

const require = createRequire(import.meta.url);
const { wgs84togcj02 } = require('coordtransform'); // a CommonJS (UMD) module

const out = [];
for (const line of readFileSync(0, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2)
        continue;
    const [lon, lat] = wgs84togcj02(Number(fields[0]), Number(fields[1]));
    // Number.prototype.toString prints the shortest text that reads back as the same double.
    out.push(`${lon} ${lat}`);
}
process.stdout.write(out.join('\n') + '\n');
