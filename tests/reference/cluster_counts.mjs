// Runs npm supercluster over a CSV of points and prints one JSON object, for tst_supercluster.
//
//   node cluster_counts.mjs FILE.csv RADIUS EXTENT MAXZOOM [MINPOINTS] [MODE...]
//
// FILE.csv holds "lon,lat" lines (a non-numeric first line is a header; blank lines are skipped).
// Without a MODE the output is {"0":n,"1":n,...,"MAXZOOM":n}: for each zoom, the number of
// features (clusters plus unclustered points) that cover the whole world at that zoom.
//
// "The whole world" is getClusters([-180, -90, 180, 90], z). In v8, east = 180 is kept as 180 and
// a width of 360 selects x in [0, 1], so longitudes are complete; but [-180, -85, 180, 85] would
// leave out every node north or south of ±85° (y beyond latY(±85)), which a world-wide data set
// has. ±90 maps to y = 0 and 1 and covers every node, so the count equals the size of that
// zoom's KD-tree; the script checks that and fails if it ever differs.
//
// Modes (each prints one JSON object instead of the counts):
//   --viewport=W,S,E,N,Z  (repeatable) {"viewports":[[ids],...]}: per box, getClusters([W,S,E,N], Z)
//                         in its order, as ids: cluster_id for a cluster, the input line's
//                         0-based point index for a point (cluster ids are >= the point count).
//   --digest              {"0":"hex",...}: per zoom, FNV-1a (32 bit) over the zoom's internal
//                         nodes in order: x and y as little-endian float64, point count and id
//                         as uint32. Equal digests mean bit-identical clustering.
import {readFileSync} from 'node:fs';
import Supercluster from 'supercluster';

function fail(message) {
    process.stderr.write(`cluster_counts.mjs: ${message}\n`);
    process.exit(2);
}

const args = process.argv.slice(2);
const positional = args.filter(a => !a.startsWith('--'));
const flags = args.filter(a => a.startsWith('--'));
if (positional.length < 4 || positional.length > 5)
    fail('usage: node cluster_counts.mjs FILE.csv RADIUS EXTENT MAXZOOM [MINPOINTS] [MODE...]');

const [file, radiusArg, extentArg, maxZoomArg, minPointsArg] = positional;
const radius = Number(radiusArg);
const extent = Number(extentArg);
const maxZoom = Number(maxZoomArg);
const minPoints = minPointsArg === undefined ? 2 : Number(minPointsArg);
if (![radius, extent, maxZoom, minPoints].every(Number.isFinite) || !Number.isInteger(maxZoom))
    fail('RADIUS, EXTENT, MAXZOOM and MINPOINTS must be numbers (MAXZOOM an integer)');

const features = [];
const lines = readFileSync(file, 'utf8').split('\n');
let seenContent = false;
for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '') continue;
    const first = !seenContent;
    seenContent = true;
    const fields = line.split(',');
    const lon = fields.length === 2 && fields[0].trim() !== '' ? Number(fields[0]) : NaN;
    const lat = fields.length === 2 && fields[1].trim() !== '' ? Number(fields[1]) : NaN;
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
        if (first) continue; // header
        fail(`${file}:${n + 1}: expected "lon,lat", got "${line}"`);
    }
    features.push({
        type: 'Feature',
        properties: {index: features.length},
        geometry: {type: 'Point', coordinates: [lon, lat]}
    });
}

const index = new Supercluster({radius, extent, maxZoom, minPoints}).load(features);
const worldCount = z => index.getClusters([-180, -90, 180, 90], z).length;

const viewports = flags.filter(f => f.startsWith('--viewport='));
if (viewports.length > 0) {
    const result = viewports.map((flag) => {
        const v = flag.slice('--viewport='.length).split(',').map(Number);
        if (v.length !== 5 || !v.every(Number.isFinite)) fail(`bad ${flag}`);
        return index.getClusters(v.slice(0, 4), v[4]).map(f =>
            (f.properties.cluster ? f.properties.cluster_id : f.properties.index));
    });
    process.stdout.write(`${JSON.stringify({viewports: result})}\n`);
} else if (flags.includes('--digest')) {
    const out = {};
    const bytes = new DataView(new ArrayBuffer(24));
    for (let z = 0; z <= maxZoom; z++) {
        const {data, numItems} = index.trees[z];
        const stride = index.stride;
        let h = 0x811c9dc5;
        for (let i = 0; i < numItems; i++) {
            const k = i * stride;
            bytes.setFloat64(0, data[k], true);
            bytes.setFloat64(8, data[k + 1], true);
            bytes.setUint32(16, data[k + 5], true); // OFFSET_NUM
            bytes.setUint32(20, data[k + 3], true); // OFFSET_ID
            for (let b = 0; b < 24; b++) h = Math.imul(h ^ bytes.getUint8(b), 0x01000193) >>> 0;
        }
        out[z] = h.toString(16).padStart(8, '0');
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
    const out = {};
    for (let z = 0; z <= maxZoom; z++) {
        out[z] = worldCount(z);
        if (out[z] !== index.trees[z].numItems)
            fail(`zoom ${z}: the world query returned ${out[z]}, the tree holds ${index.trees[z].numItems}`);
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
}
