#include "supercluster.h"

#include <QFile>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Bit-for-bit agreement with the JavaScript reference needs every a * b + c rounded twice, as
// V8 does; a fused multiply-add would not. GCC contracts by default once the target has FMA
// (-march=native and the like), so switch that off there; baseline x86-64 has no FMA.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__) && defined(__FMA__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace cityops::geo {

namespace {

// ---- V8's Math.sin, Math.log, Math.exp and Math.atan --------------------------------------
//
// Node 20 (V8 11) computes these with fdlibm, which differs from glibc in the last bit for a
// few percent of arguments. Those bits decide float32 rounding of projected points and the
// sample bounds of kdbush's Floyd-Rivest select, so they are ported here operation for
// operation from V8's src/base/ieee754.cc, itself adapted from fdlibm:
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
namespace fdlibm {

inline std::int32_t highWord(double d)
{
    return static_cast<std::int32_t>(std::bit_cast<std::uint64_t>(d) >> 32);
}
inline std::uint32_t lowWord(double d)
{
    return static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(d));
}
inline double fromWords(std::uint32_t hi, std::uint32_t lo)
{
    return std::bit_cast<double>((std::uint64_t(hi) << 32) | lo);
}
inline double withHighWord(double d, std::uint32_t hi)
{
    return fromWords(hi, lowWord(d));
}

double log(double x)
{
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                     two54 = 1.80143985094819840000e+16, Lg1 = 6.666666666666735130e-01,
                     Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                     Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01,
                     Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
    std::int32_t hx = highWord(x);
    const std::uint32_t lx = lowWord(x);
    std::int32_t k = 0;
    if (hx < 0x00100000) { // x < 2**-1022
        if (((hx & 0x7fffffff) | lx) == 0)
            return -std::numeric_limits<double>::infinity();
        if (hx < 0)
            return std::numeric_limits<double>::quiet_NaN();
        k -= 54; // subnormal: scale up
        x *= two54;
        hx = highWord(x);
    }
    if (hx >= 0x7ff00000)
        return x + x;
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    std::int32_t i = (hx + 0x95f64) & 0x100000;
    x = withHighWord(x, static_cast<std::uint32_t>(hx | (i ^ 0x3ff00000))); // x or x/2
    k += (i >> 20);
    const double f = x - 1.0;
    double dk;
    if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2**-20
        if (f == 0.0) {
            if (k == 0)
                return 0.0;
            dk = static_cast<double>(k);
            return dk * ln2_hi + dk * ln2_lo;
        }
        const double R = f * f * (0.5 - 0.33333333333333333 * f);
        if (k == 0)
            return f - R;
        dk = static_cast<double>(k);
        return dk * ln2_hi - ((R - dk * ln2_lo) - f);
    }
    const double s = f / (2.0 + f);
    dk = static_cast<double>(k);
    const double z = s * s;
    i = hx - 0x6147a;
    const double w = z * z;
    const std::int32_t j = 0x6b851 - hx;
    const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    i |= j;
    const double R = t2 + t1;
    if (i > 0) {
        const double hfsq = 0.5 * f * f;
        if (k == 0)
            return f - (hfsq - s * (hfsq + R));
        return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
    }
    if (k == 0)
        return f - s * (f - R);
    return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

double exp(double x)
{
    constexpr double one = 1.0, halF[2] = {0.5, -0.5}, o_threshold = 7.09782712893383973096e+02,
                     u_threshold = -7.45133219101941108420e+02,
                     ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01},
                     ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10},
                     invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                     P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
                     P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08,
                     E = 2.718281828459045, huge = 1.0e+300, twom1000 = 9.33263618503218878990e-302,
                     two1023 = 8.988465674311579539e307;
    double hi = 0.0, lo = 0.0;
    std::int32_t k = 0;
    std::uint32_t hx = static_cast<std::uint32_t>(highWord(x));
    const int xsb = static_cast<int>((hx >> 31) & 1);
    hx &= 0x7FFFFFFF;
    if (hx >= 0x40862E42) { // |x| >= 709.78...
        if (hx >= 0x7FF00000) {
            if (((hx & 0xFFFFF) | lowWord(x)) != 0)
                return x + x; // NaN
            return xsb == 0 ? x : 0.0;
        }
        if (x > o_threshold)
            return huge * huge;
        if (x < u_threshold)
            return twom1000 * twom1000;
    }
    if (hx > 0x3FD62E42) {     // |x| > 0.5 ln2
        if (hx < 0x3FF0A2B2) { // and |x| < 1.5 ln2
            if (x == 1.0)
                return E;
            hi = x - ln2HI[xsb];
            lo = ln2LO[xsb];
            k = 1 - xsb - xsb;
        } else {
            k = static_cast<int>(invln2 * x + halF[xsb]);
            const double t = k;
            hi = x - t * ln2HI[0];
            lo = t * ln2LO[0];
        }
        x = hi - lo;
    } else if (hx < 0x3E300000) { // |x| < 2**-28
        if (huge + x > one)
            return one + x;
    } else {
        k = 0;
    }
    const double t = x * x;
    const double twopk =
        k >= -1021 ? fromWords(0x3FF00000 + (static_cast<std::uint32_t>(k) << 20), 0)
                   : fromWords(0x3FF00000 + (static_cast<std::uint32_t>(k + 1000) << 20), 0);
    const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k == 0)
        return one - ((x * c) / (c - 2.0) - x);
    const double y = one - ((lo - (x * c) / (2.0 - c)) - hi);
    if (k >= -1021) {
        if (k == 1024)
            return y * 2.0 * two1023;
        return y * twopk;
    }
    return y * twopk * twom1000;
}

double kernelCos(double x, double y)
{
    constexpr double one = 1.0, C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                     C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                     C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    const std::int32_t ix = highWord(x) & 0x7FFFFFFF;
    if (ix < 0x3E400000 && static_cast<int>(x) == 0)
        return one;
    const double z = x * x;
    const double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    if (ix < 0x3FD33333) // |x| < 0.3
        return one - (0.5 * z - (z * r - x * y));
    const double qx =
        ix > 0x3FE90000 ? 0.28125 : fromWords(static_cast<std::uint32_t>(ix - 0x00200000), 0);
    const double iz = 0.5 * z - qx;
    const double a = one - qx;
    return a - (iz - (z * r - x * y));
}

double kernelSin(double x, double y, int iy)
{
    constexpr double half = 0.5, S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                     S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                     S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    const std::int32_t ix = highWord(x) & 0x7FFFFFFF;
    if (ix < 0x3E400000 && static_cast<int>(x) == 0)
        return x;
    const double z = x * x;
    const double v = z * x;
    const double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    if (iy == 0)
        return x + v * (S1 + z * r);
    return x - ((z * (half * y - v * r) - y) - v * S1);
}

/** x rem π/2 in y[0] + y[1] for |x| ≤ 2^19·π/2; false beyond (no latitude gets there). */
bool remPio2(double x, double *y, std::int32_t &quadrant)
{
    static constexpr std::int32_t npio2_hw[] = {
        0x3FF921FB, 0x400921FB, 0x4012D97C, 0x401921FB, 0x401F6A7A, 0x4022D97C, 0x4025FDBB,
        0x402921FB, 0x402C463A, 0x402F6A7A, 0x4031475C, 0x4032D97C, 0x40346B9C, 0x4035FDBB,
        0x40378FDB, 0x403921FB, 0x403AB41B, 0x403C463A, 0x403DD85A, 0x403F6A7A, 0x40407E4C,
        0x4041475C, 0x4042106C, 0x4042D97C, 0x4043A28C, 0x40446B9C, 0x404534AC, 0x4045FDBB,
        0x4046C6CB, 0x40478FDB, 0x404858EB, 0x404921FB,
    };
    constexpr double half = 0.5, invpio2 = 6.36619772367581382433e-01,
                     pio2_1 = 1.57079632673412561417e+00, pio2_1t = 6.07710050650619224932e-11,
                     pio2_2 = 6.07710050630396597660e-11, pio2_2t = 2.02226624879595063154e-21,
                     pio2_3 = 2.02226624871116645580e-21, pio2_3t = 8.47842766036889956997e-32;
    const std::int32_t hx = highWord(x);
    const std::int32_t ix = hx & 0x7FFFFFFF;
    if (ix <= 0x3FE921FB) {
        y[0] = x;
        y[1] = 0;
        quadrant = 0;
        return true;
    }
    if (ix < 0x4002D97C) { // |x| < 3π/4: n = ±1
        if (hx > 0) {
            double z = x - pio2_1;
            if (ix != 0x3FF921FB) {
                y[0] = z - pio2_1t;
                y[1] = (z - y[0]) - pio2_1t;
            } else {
                z -= pio2_2;
                y[0] = z - pio2_2t;
                y[1] = (z - y[0]) - pio2_2t;
            }
            quadrant = 1;
            return true;
        }
        double z = x + pio2_1;
        if (ix != 0x3FF921FB) {
            y[0] = z + pio2_1t;
            y[1] = (z - y[0]) + pio2_1t;
        } else {
            z += pio2_2;
            y[0] = z + pio2_2t;
            y[1] = (z - y[0]) + pio2_2t;
        }
        quadrant = -1;
        return true;
    }
    if (ix > 0x413921FB)
        return false;
    double t = std::fabs(x);
    const std::int32_t n = static_cast<std::int32_t>(t * invpio2 + half);
    const double fn = static_cast<double>(n);
    double r = t - fn * pio2_1;
    double w = fn * pio2_1t;
    if (n < 32 && ix != npio2_hw[n - 1]) {
        y[0] = r - w;
    } else {
        const std::int32_t j = ix >> 20;
        y[0] = r - w;
        std::int32_t i = j - ((highWord(y[0]) >> 20) & 0x7FF);
        if (i > 16) {
            t = r;
            w = fn * pio2_2;
            r = t - w;
            w = fn * pio2_2t - ((t - r) - w);
            y[0] = r - w;
            i = j - ((highWord(y[0]) >> 20) & 0x7FF);
            if (i > 49) {
                t = r;
                w = fn * pio2_3;
                r = t - w;
                w = fn * pio2_3t - ((t - r) - w);
                y[0] = r - w;
            }
        }
    }
    y[1] = (r - y[0]) - w;
    if (hx < 0) {
        y[0] = -y[0];
        y[1] = -y[1];
        quadrant = -n;
    } else {
        quadrant = n;
    }
    return true;
}

double sin(double x)
{
    const std::int32_t ix = highWord(x) & 0x7FFFFFFF;
    if (ix <= 0x3FE921FB)
        return kernelSin(x, 0.0, 0);
    if (ix >= 0x7FF00000)
        return x - x;
    double y[2];
    std::int32_t n = 0;
    if (!remPio2(x, y, n))
        return std::sin(x);
    switch (n & 3) {
    case 0:
        return kernelSin(y[0], y[1], 1);
    case 1:
        return kernelCos(y[0], y[1]);
    case 2:
        return -kernelSin(y[0], y[1], 1);
    default:
        return -kernelCos(y[0], y[1]);
    }
}

double atan(double x)
{
    static constexpr double atanhi[] = {4.63647609000806093515e-01, 7.85398163397448278999e-01,
                                        9.82793723247329054082e-01, 1.57079632679489655800e+00};
    static constexpr double atanlo[] = {2.26987774529616870924e-17, 3.06161699786838301793e-17,
                                        1.39033110312309984516e-17, 6.12323399573676603587e-17};
    static constexpr double aT[] = {
        3.33333333333329318027e-01,  -1.99999999998764832476e-01, 1.42857142725034663711e-01,
        -1.11111104054623557880e-01, 9.09088713343650656196e-02,  -7.69187620504482999495e-02,
        6.66107313738753120669e-02,  -5.83357013379057348645e-02, 4.97687799461593236017e-02,
        -3.65315727442169155270e-02, 1.62858201153657823623e-02,
    };
    constexpr double one = 1.0, huge = 1.0e300;
    const std::int32_t hx = highWord(x);
    const std::int32_t ix = hx & 0x7FFFFFFF;
    int id;
    if (ix >= 0x44100000) { // |x| >= 2^66
        if (ix > 0x7FF00000 || (ix == 0x7FF00000 && lowWord(x) != 0))
            return x + x; // NaN
        return hx > 0 ? atanhi[3] + atanlo[3] : -atanhi[3] - atanlo[3];
    }
    if (ix < 0x3FDC0000) { // |x| < 0.4375
        if (ix < 0x3E400000 && huge + x > one)
            return x;
        id = -1;
    } else {
        x = std::fabs(x);
        if (ix < 0x3FF30000) {
            if (ix < 0x3FE60000) {
                id = 0;
                x = (2.0 * x - one) / (2.0 + x);
            } else {
                id = 1;
                x = (x - one) / (x + one);
            }
        } else if (ix < 0x40038000) {
            id = 2;
            x = (x - 1.5) / (one + 1.5 * x);
        } else {
            id = 3;
            x = -1.0 / x;
        }
    }
    double z = x * x;
    const double w = z * z;
    const double s1 =
        z * (aT[0] + w * (aT[2] + w * (aT[4] + w * (aT[6] + w * (aT[8] + w * aT[10])))));
    const double s2 = w * (aT[1] + w * (aT[3] + w * (aT[5] + w * (aT[7] + w * aT[9]))));
    if (id < 0)
        return x - x * (s1 + s2);
    z = atanhi[id] - ((x * (s1 + s2) - atanlo[id]) - x);
    return hx < 0 ? -z : z;
}

} // namespace fdlibm

constexpr double kPi = 3.141592653589793; // Math.PI

/**
 * Math.fround. The value passes through memory the optimiser cannot see into: GCC 12's SLP
 * vectoriser drops the double → float → double round trip when it pairs x and y (-O2 and up),
 * which the reference tests caught.
 */
inline float fround(double v)
{
    float f = static_cast<float>(v);
#if defined(__GNUC__)
    asm("" : "+m"(f));
#endif
    return f;
}

// supercluster's projection, term for term.
double lngX(double lng)
{
    return lng / 360 + 0.5;
}
double latY(double lat)
{
    const double sin = fdlibm::sin(lat * kPi / 180);
    const double y = (0.5 - 0.25 * fdlibm::log((1 + sin) / (1 - sin)) / kPi);
    return y < 0 ? 0 : y > 1 ? 1 : y;
}
double xLng(double x)
{
    return (x - 0.5) * 360;
}
double yLat(double y)
{
    const double y2 = (180 - y * 360) * kPi / 180;
    return 360 * fdlibm::atan(fdlibm::exp(y2)) / kPi - 90;
}

// ---- kdbush 4 -------------------------------------------------------------------------------
// The arrangement of a level's tree and the order in which within() reports neighbours decide
// the order of floating-point sums and, from minPoints 4 on, which points stay unclustered, so
// both are kdbush's exactly: the same select (Floyd-Rivest with V8's log/exp), float32
// coordinates, and the same traversal order (a node's middle item, then its upper half, then its
// lower half; a leaf in index order). Only the layout differs: id next to its coordinates, and
// the middle items copied into a heap-ordered array so that a descent touches few cache lines.

using detail::KdItem;

void kdSelect(KdItem *items, qint64 k, qint64 left, qint64 right, int axis)
{
    while (right > left) {
        if (right - left > 600) {
            const double n = static_cast<double>(right - left + 1);
            const double m = static_cast<double>(k - left + 1);
            const double z = fdlibm::log(n);
            const double s = 0.5 * fdlibm::exp(2 * z / 3);
            const double sd = 0.5 * std::sqrt(z * s * (n - s) / n) * (m - n / 2 < 0 ? -1 : 1);
            const double kd = static_cast<double>(k);
            const qint64 newLeft =
                std::max(left, static_cast<qint64>(std::floor(kd - m * s / n + sd)));
            const qint64 newRight =
                std::min(right, static_cast<qint64>(std::floor(kd + (n - m) * s / n + sd)));
            kdSelect(items, k, newLeft, newRight, axis);
        }
        const float t = items[k].c[axis];
        qint64 i = left;
        qint64 j = right;
        std::swap(items[left], items[k]);
        if (items[right].c[axis] > t)
            std::swap(items[left], items[right]);
        while (i < j) {
            std::swap(items[i], items[j]);
            i++;
            j--;
            while (items[i].c[axis] < t)
                i++;
            while (items[j].c[axis] > t)
                j--;
        }
        if (items[left].c[axis] == t) {
            std::swap(items[left], items[j]);
        } else {
            j++;
            std::swap(items[j], items[right]);
        }
        if (j <= k)
            left = j + 1;
        if (k <= j)
            right = j - 1;
    }
}

void kdSort(KdItem *items, int nodeSize, qint64 left, qint64 right, int axis)
{
    if (right - left <= nodeSize)
        return;
    const qint64 m = (left + right) >> 1;
    kdSelect(items, m, left, right, axis);
    kdSort(items, nodeSize, left, m - 1, 1 - axis);
    kdSort(items, nodeSize, m + 1, right, 1 - axis);
}

/** Stores each inner node's middle item at its heap index (root 1, children 2k and 2k + 1). */
void collectMids(const KdItem *items, int nodeSize, qint64 left, qint64 right, std::size_t k,
                 std::vector<detail::KdEntry> &mids)
{
    if (right - left <= nodeSize)
        return;
    const qint64 m = (left + right) >> 1;
    if (mids.size() <= k)
        mids.resize(2 * k + 2);
    mids[k] = {items[m].c[0], items[m].c[1], items[m].id};
    collectMids(items, nodeSize, left, m - 1, 2 * k, mids);
    collectMids(items, nodeSize, m + 1, right, 2 * k + 1, mids);
}

/** A level's KD-tree as kdbush lays it out, plus the inner nodes packed for the descent. */
struct KdView
{
    const detail::KdEntry *entries;
    const detail::KdEntry *mids;
    int n;
    int nodeSize;
};

/** The view of a Supercluster level (a template, as the level type is private to the class). */
template <typename Level> KdView viewOf(const Level &l, int nodeSize)
{
    return {l.entries.data(), l.mids.data(), static_cast<int>(l.entries.size()), nodeSize};
}

/** A traversal frame, two 8-byte words so that a pop reads exactly what a push wrote. */
struct Frame
{
    std::uint64_t range; // left | right << 32
    std::uint64_t node;  // heap index | axis << 32
};
constexpr int kMaxFrames = 128; // the height stays below 40 for any count that fits in an int

inline Frame frame(int left, int right, std::size_t k, int axis)
{
    return {std::uint64_t(std::uint32_t(left)) | std::uint64_t(std::uint32_t(right)) << 32,
            std::uint64_t(k) | std::uint64_t(axis) << 32};
}

/** The leaf part of kdWithin: sink(id) for the items in [left, right] within r2, in order. */
template <typename Sink>
inline void scanLeaf(const KdView &t, int left, int right, double qx, double qy, double r2,
                     Sink &sink)
{
    int i = left;
#if defined(__SSE2__)
    // Two coordinates per register in double precision, exactly like the scalar test below;
    // hits are gathered as a bit mask and reported in index order.
    const __m128d q = _mm_set_pd(qy, qx);
    const __m128d rr = _mm_set1_pd(r2);
    while (right - i + 1 >= 4) {
        const int block = std::min(64, (right - i + 1) & ~3);
        std::uint64_t mask = 0;
        for (int j = 0; j < block; j += 4) {
            const detail::KdEntry *e = t.entries + i + j;
            const auto load = [q](const detail::KdEntry &entry) {
                const __m128i xy = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(&entry));
                return _mm_sub_pd(_mm_cvtps_pd(_mm_castsi128_ps(xy)), q);
            };
            const __m128d d0 = load(e[0]);
            const __m128d d1 = load(e[1]);
            const __m128d d2 = load(e[2]);
            const __m128d d3 = load(e[3]);
            const __m128d s0 = _mm_mul_pd(d0, d0);
            const __m128d s1 = _mm_mul_pd(d1, d1);
            const __m128d s2 = _mm_mul_pd(d2, d2);
            const __m128d s3 = _mm_mul_pd(d3, d3);
            // dx² + dy² for items (0, 1) and (2, 3).
            const __m128d sum01 = _mm_add_pd(_mm_unpacklo_pd(s0, s1), _mm_unpackhi_pd(s0, s1));
            const __m128d sum23 = _mm_add_pd(_mm_unpacklo_pd(s2, s3), _mm_unpackhi_pd(s2, s3));
            const int bits = _mm_movemask_pd(_mm_cmple_pd(sum01, rr)) |
                             (_mm_movemask_pd(_mm_cmple_pd(sum23, rr)) << 2);
            mask |= std::uint64_t(bits) << j;
        }
        while (mask) {
            sink(t.entries[i + std::countr_zero(mask)].id);
            mask &= mask - 1;
        }
        i += block;
    }
#endif
    for (; i <= right; i++) {
        const double dx = double(t.entries[i].x) - qx;
        const double dy = double(t.entries[i].y) - qy;
        if (dx * dx + dy * dy <= r2)
            sink(t.entries[i].id);
    }
}

/**
 * Calls sink(id) for the ids within r of (qx, qy), in kdbush's order. kdbush pushes the lower
 * half, then the upper one, and pops: so when both halves qualify the upper one is searched
 * first and the lower one waits on the stack; when only one does, this walks straight into it
 * without the stack round trip.
 */
template <typename Sink> void kdWithin(const KdView &t, double qx, double qy, double r, Sink &&sink)
{
    if (t.n == 0)
        return;
    Frame stack[kMaxFrames];
    int sp = 0;
    const double r2 = r * r;
    int left = 0;
    int right = t.n - 1;
    std::size_t k = 1;
    int axis = 0;
    for (;;) {
        if (right - left <= t.nodeSize) {
            scanLeaf(t, left, right, qx, qy, r2, sink);
            if (sp == 0)
                return;
            const Frame f = stack[--sp];
            left = static_cast<int>(std::uint32_t(f.range));
            right = static_cast<int>(std::uint32_t(f.range >> 32));
            k = std::uint32_t(f.node);
            axis = static_cast<int>(f.node >> 32);
            continue;
        }
        const int m = (left + right) >> 1;
        const detail::KdEntry &mid = t.mids[k];
        const double x = mid.x;
        const double y = mid.y;
        const double dx = x - qx;
        const double dy = y - qy;
        if (dx * dx + dy * dy <= r2)
            sink(mid.id);
        const double v = axis == 0 ? x : y;
        const double qv = axis == 0 ? qx : qy;
        const bool lower = qv - r <= v;
        const bool upper = qv + r >= v;
        if (upper) {
            if (lower)
                stack[sp++] = frame(left, m - 1, 2 * k, 1 - axis);
            left = m + 1;
            k = 2 * k + 1;
        } else if (lower) {
            right = m - 1;
            k = 2 * k;
        } else { // only with a NaN radius
            right = left - 1;
        }
        axis = 1 - axis;
    }
}

/** Calls fn(id) for the ids inside the box, in kdbush's order. */
template <typename Fn>
void kdRange(const KdView &t, double minX, double minY, double maxX, double maxY, Fn &&fn)
{
    if (t.n == 0)
        return;
    Frame stack[kMaxFrames];
    int sp = 0;
    stack[sp++] = frame(0, t.n - 1, 1, 0);
    const auto inside = [&](double x, double y) {
        return x >= minX && x <= maxX && y >= minY && y <= maxY;
    };
    while (sp > 0) {
        const Frame f = stack[--sp];
        const int left = static_cast<int>(std::uint32_t(f.range));
        const int right = static_cast<int>(std::uint32_t(f.range >> 32));
        if (right - left <= t.nodeSize) {
            for (int i = left; i <= right; i++) {
                if (inside(t.entries[i].x, t.entries[i].y))
                    fn(t.entries[i].id);
            }
            continue;
        }
        const std::size_t k = std::uint32_t(f.node);
        const int axis = static_cast<int>(f.node >> 32);
        const int m = (left + right) >> 1;
        const detail::KdEntry &mid = t.mids[k];
        const double x = mid.x;
        const double y = mid.y;
        if (inside(x, y))
            fn(mid.id);
        if (axis == 0 ? minX <= x : minY <= y)
            stack[sp++] = frame(left, m - 1, 2 * k, 1 - axis);
        if (axis == 0 ? maxX >= x : maxY >= y)
            stack[sp++] = frame(m + 1, right, 2 * k + 1, 1 - axis);
    }
}

inline void addClasses(std::array<quint32, kClusterClasses> &sum,
                       const std::array<quint32, kClusterClasses> &add)
{
    for (int c = 0; c < kClusterClasses; ++c)
        sum[c] += add[c];
}

} // namespace

Supercluster::Supercluster(ClusterOptions o) : m_options(o)
{
    static_assert(sizeof(KdItem) == 16 && sizeof(detail::KdEntry) == 12 && sizeof(Node) == 24);
    // Cluster ids keep zoom + 1 in five bits, so zoom 30 is the most supercluster can tell apart.
    m_options.minZoom = std::clamp(m_options.minZoom, 0, 30);
    m_options.maxZoom = std::clamp(m_options.maxZoom, m_options.minZoom, 30);
    m_nodeSize = std::clamp(m_options.nodeSize, 2, 65535);
}

void Supercluster::load(std::vector<ClusterInput> points)
{
    m_points = std::move(points);
    m_clusters.clear();
    m_levels.clear();
    m_levels.resize(static_cast<std::size_t>(m_options.maxZoom + 2 - m_options.minZoom));

    const std::size_t n = m_points.size();
    Level &top = m_levels.back();
    top.nodes.resize(n);
    top.parent.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        // supercluster rounds input points to float32 (Math.fround) but keeps clusters double.
        top.nodes[i] = {fround(lngX(m_points[i].lon)), fround(latY(m_points[i].lat)), 1,
                        static_cast<quint32>(i)};
    }
    // Fresh pages are expensive (a fault each, on this class of VM several microseconds), so
    // the temporaries are allocated once and every level keeps exactly what it needs.
    BuildScratch scratch;
    scratch.nodes.reserve(n);
    scratch.items.reserve(n);
    scratch.neighbours.resize(n);
    buildIndex(top, scratch);
    for (int z = m_options.maxZoom; z >= m_options.minZoom; --z) {
        Level &from = m_levels[static_cast<std::size_t>(z + 1 - m_options.minZoom)];
        Level &to = m_levels[static_cast<std::size_t>(z - m_options.minZoom)];
        clusterLevel(from, z, to, scratch);
        buildIndex(to, scratch);
    }
}

void Supercluster::buildIndex(Level &l, BuildScratch &scratch) const
{
    const std::size_t n = l.nodes.size();
    std::vector<KdItem> &items = scratch.items;
    items.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        items[i] = {{static_cast<float>(l.nodes[i].x), static_cast<float>(l.nodes[i].y)},
                    static_cast<quint32>(i),
                    0};
    const qint64 right = static_cast<qint64>(n) - 1;
    // The two halves below the root are independent; sort them on two cores when it pays.
    if (n >= kParallelMin && std::thread::hardware_concurrency() > 1) {
        const qint64 m = right >> 1;
        kdSelect(items.data(), m, 0, right, 0);
        const auto sortLower = [&] {
            kdSort(items.data(), m_nodeSize, 0, m - 1, 1);
        };
        std::thread lower;
        try {
            lower = std::thread(sortLower);
        } catch (const std::system_error &) {
            // No thread to be had: sort both halves here.
        }
        kdSort(items.data(), m_nodeSize, m + 1, right, 1);
        if (lower.joinable())
            lower.join();
        else
            sortLower();
    } else {
        kdSort(items.data(), m_nodeSize, 0, right, 0);
    }
    l.entries.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        l.entries[i] = {items[i].c[0], items[i].c[1], items[i].id};
    l.mids.clear();
    collectMids(items.data(), m_nodeSize, 0, right, 1, l.mids);
    l.mids.shrink_to_fit();
}

void Supercluster::clusterLevel(Level &from, int zoom, Level &to, BuildScratch &scratch)
{
    const double r = m_options.radius / (m_options.extent * std::ldexp(1.0, zoom));
    const qint64 pointCount = static_cast<qint64>(m_points.size());
    const KdView tree = viewOf(from, m_nodeSize);
    Node *nodes = from.nodes.data();
    const std::size_t n = from.nodes.size();
    quint32 *neighbours = scratch.neighbours.data();
    std::vector<Node> &out = scratch.nodes;

    // supercluster marks a node done by storing the zoom in it; here the top bit of its count
    // (counts stay below 2^31) says so, next to the fields the pass reads anyway.
    constexpr quint32 kDone = 0x80000000u;
    const auto done = [&](quint32 node) {
        return (nodes[node].num & kDone) != 0;
    };
    const auto classesOf = [&](const Node &node) {
        const quint32 num = node.num & ~kDone;
        if (num > 1)
            return m_clusters[node.ref].classCounts;
        std::array<quint32, kClusterClasses> one{};
        one[std::min<int>(m_points[node.ref].klass, kClusterClasses - 1)] = 1;
        return one;
    };
    const auto copy = [&](const Node &node) {
        out.push_back({node.x, node.y, node.num & ~kDone, node.ref});
    };

    out.clear();
    for (quint32 i = 0; i < n; ++i) {
        if (done(i))
            continue;
        nodes[i].num |= kDone;
        const double x = nodes[i].x;
        const double y = nodes[i].y;
        std::size_t found = 0;
        kdWithin(tree, x, y, r, [&](quint32 id) { neighbours[found++] = id; });

        const quint32 numPointsOrigin = nodes[i].num & ~kDone;
        qint64 numPoints = numPointsOrigin;
        for (std::size_t f = 0; f < found; ++f) {
            const quint32 num = nodes[neighbours[f]].num;
            if (!(num & kDone))
                numPoints += num;
        }

        if (numPoints > numPointsOrigin && numPoints >= m_options.minPoints) {
            double wx = x * numPointsOrigin;
            double wy = y * numPointsOrigin;
            Cluster cluster;
            cluster.id = (qint64(i) << 5) + (zoom + 1) + pointCount;
            cluster.classCounts = classesOf(nodes[i]);
            const auto index = static_cast<quint32>(m_clusters.size());
            for (std::size_t f = 0; f < found; ++f) {
                const quint32 k = neighbours[f];
                if (done(k))
                    continue;
                Node &node = nodes[k];
                node.num |= kDone;
                const double numPoints2 = node.num & ~kDone;
                wx += node.x * numPoints2;
                wy += node.y * numPoints2;
                from.parent[k] = index + 1;
                addClasses(cluster.classCounts, classesOf(node));
            }
            from.parent[i] = index + 1;
            m_clusters.push_back(cluster);
            const double total = static_cast<double>(numPoints);
            out.push_back({wx / total, wy / total, static_cast<quint32>(numPoints), index});
        } else {
            copy(nodes[i]);
            if (numPoints > 1) {
                for (std::size_t f = 0; f < found; ++f) {
                    const quint32 k = neighbours[f];
                    if (done(k))
                        continue;
                    nodes[k].num |= kDone;
                    copy(nodes[k]);
                }
            }
        }
    }
    for (Node &node : from.nodes)
        node.num &= ~kDone;
    to.nodes.assign(out.cbegin(), out.cend());
    to.parent.assign(to.nodes.size(), 0);
}

int Supercluster::limitZoom(int zoom) const
{
    return std::max(m_options.minZoom, std::min(zoom, m_options.maxZoom + 1));
}

const Supercluster::Level *Supercluster::level(int zoom) const
{
    if (m_levels.empty() || zoom < m_options.minZoom || zoom > m_options.maxZoom + 1)
        return nullptr;
    return &m_levels[static_cast<std::size_t>(zoom - m_options.minZoom)];
}

ClusterItem Supercluster::item(const Level &l, quint32 node) const
{
    ClusterItem it;
    const Node &n = l.nodes[node];
    it.x = n.x;
    it.y = n.y;
    it.count = n.num;
    if (it.count > 1) {
        const Cluster &c = m_clusters[n.ref];
        it.lon = xLng(it.x);
        it.lat = yLat(it.y);
        it.clusterId = c.id;
        it.classCounts = c.classCounts;
    } else {
        const ClusterInput &p = m_points[n.ref];
        it.lon = p.lon;
        it.lat = p.lat;
        it.pointId = p.id;
        it.classCounts[std::min<int>(p.klass, kClusterClasses - 1)] = 1;
    }
    return it;
}

void Supercluster::appendRange(const Level &l, double minX, double minY, double maxX, double maxY,
                               QList<ClusterItem> &out) const
{
    kdRange(viewOf(l, m_nodeSize), minX, minY, maxX, maxY,
            [&](quint32 node) { out.append(item(l, node)); });
}

QList<ClusterItem> Supercluster::clusters(const QRectF &lonLatBox, int zoom) const
{
    QList<ClusterItem> out;
    appendClusters(lonLatBox.x(), lonLatBox.y(), lonLatBox.x() + lonLatBox.width(),
                   lonLatBox.y() + lonLatBox.height(), zoom, out);
    return out;
}

void Supercluster::appendClusters(double west, double south, double east, double north, int zoom,
                                  QList<ClusterItem> &out) const
{
    double minLng = std::fmod(std::fmod(west + 180, 360) + 360, 360) - 180;
    const double minLat = std::max(-90.0, std::min(90.0, south));
    double maxLng = east == 180 ? 180 : std::fmod(std::fmod(east + 180, 360) + 360, 360) - 180;
    const double maxLat = std::max(-90.0, std::min(90.0, north));

    if (east - west >= 360) {
        minLng = -180;
        maxLng = 180;
    } else if (minLng > maxLng) {
        appendClusters(minLng, minLat, 180, maxLat, zoom, out);
        appendClusters(-180, minLat, maxLng, maxLat, zoom, out);
        return;
    }
    if (const Level *l = level(limitZoom(zoom)))
        appendRange(*l, lngX(minLng), latY(maxLat), lngX(maxLng), latY(minLat), out);
}

QList<ClusterItem> Supercluster::clustersInUnitRect(const QRectF &unitRect, int zoom) const
{
    QList<ClusterItem> out;
    if (const Level *l = level(limitZoom(zoom)))
        appendRange(*l, unitRect.left(), unitRect.top(), unitRect.right(), unitRect.bottom(), out);
    return out;
}

bool Supercluster::locate(qint64 clusterId, int &originZoom, quint32 &originNode,
                          quint32 &cluster) const
{
    const qint64 rel = clusterId - static_cast<qint64>(m_points.size());
    if (rel <= 0)
        return false;
    originZoom = static_cast<int>(rel % 32);
    const qint64 node = rel >> 5;
    const Level *l = level(originZoom);
    if (!l || originZoom == m_options.minZoom || node >= static_cast<qint64>(l->nodes.size()))
        return false;
    originNode = static_cast<quint32>(node);
    // The point a cluster grew from is always one of its children.
    const quint32 parent = l->parent[originNode];
    if (parent == 0 || m_clusters[parent - 1].id != clusterId)
        return false;
    cluster = parent - 1;
    return true;
}

void Supercluster::children(qint64 clusterId, std::vector<quint32> &nodes, int &originZoom) const
{
    nodes.clear();
    quint32 originNode = 0;
    quint32 cluster = 0;
    if (!locate(clusterId, originZoom, originNode, cluster))
        return;
    const Level &l = *level(originZoom);
    const double r = m_options.radius / (m_options.extent * std::ldexp(1.0, originZoom - 1));
    const Node &origin = l.nodes[originNode];
    kdWithin(viewOf(l, m_nodeSize), origin.x, origin.y, r, [&](quint32 node) {
        if (l.parent[node] == cluster + 1)
            nodes.push_back(node);
    });
}

void Supercluster::appendLeaves(qint64 clusterId, int limit, QList<quint32> &out) const
{
    std::vector<quint32> nodes;
    int zoom = 0;
    children(clusterId, nodes, zoom);
    if (nodes.empty())
        return;
    const Level &l = *level(zoom);
    for (quint32 node : nodes) {
        const Node &n = l.nodes[node];
        if (n.num > 1)
            appendLeaves(m_clusters[n.ref].id, limit, out);
        else
            out.append(m_points[n.ref].id);
        if (out.size() == limit)
            break;
    }
}

QList<quint32> Supercluster::leaves(qint64 clusterId, int limit) const
{
    QList<quint32> out;
    if (limit != 0)
        appendLeaves(clusterId, limit, out);
    return out;
}

int Supercluster::expansionZoom(qint64 clusterId) const
{
    int originZoom = 0;
    quint32 originNode = 0;
    quint32 cluster = 0;
    if (!locate(clusterId, originZoom, originNode, cluster))
        return -1;
    int expansion = originZoom - 1;
    std::vector<quint32> nodes;
    while (expansion <= m_options.maxZoom) {
        int zoom = 0;
        children(clusterId, nodes, zoom);
        if (nodes.empty())
            return -1;
        expansion++;
        if (nodes.size() != 1)
            break;
        const Level &l = *level(zoom);
        const Node &child = l.nodes[nodes[0]];
        if (child.num < 2)
            return -1; // supercluster would throw here; a cluster never has a single child
        clusterId = m_clusters[child.ref].id;
    }
    return expansion;
}

QMap<int, int> Supercluster::countsPerZoom() const
{
    QMap<int, int> counts;
    for (int z = m_options.minZoom; z <= m_options.maxZoom; ++z) {
        const Level *l = level(z);
        counts.insert(z, l ? static_cast<int>(l->nodes.size()) : 0);
    }
    return counts;
}

QMap<int, quint32> Supercluster::fingerprints() const
{
    QMap<int, quint32> out;
    for (int z = m_options.minZoom; z <= m_options.maxZoom; ++z) {
        const Level *l = level(z);
        quint32 h = 0x811c9dc5u;
        const auto add = [&h](std::uint64_t v, int bytes) {
            for (int b = 0; b < bytes; ++b)
                h = (h ^ static_cast<quint32>((v >> (8 * b)) & 0xffu)) * 0x01000193u;
        };
        for (std::size_t i = 0; l && i < l->nodes.size(); ++i) {
            const Node &node = l->nodes[i];
            add(std::bit_cast<std::uint64_t>(node.x), 8);
            add(std::bit_cast<std::uint64_t>(node.y), 8);
            add(node.num, 4);
            add(static_cast<quint32>(node.num > 1 ? m_clusters[node.ref].id : node.ref), 4);
        }
        out.insert(z, h);
    }
    return out;
}

std::size_t Supercluster::memoryBytes() const
{
    std::size_t bytes = sizeof(*this) + m_points.capacity() * sizeof(ClusterInput) +
                        m_levels.capacity() * sizeof(Level) +
                        m_clusters.capacity() * sizeof(Cluster);
    for (const Level &l : m_levels) {
        bytes += l.nodes.capacity() * sizeof(Node) + l.parent.capacity() * sizeof(quint32) +
                 (l.entries.capacity() + l.mids.capacity()) * sizeof(detail::KdEntry);
    }
    return bytes;
}

QString Supercluster::countsJson(const QMap<int, int> &counts)
{
    QString json = QStringLiteral("{");
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it != counts.cbegin())
            json += QLatin1Char(',');
        json += QStringLiteral("\"%1\":%2").arg(it.key()).arg(it.value());
    }
    return json + QLatin1Char('}');
}

Result<std::vector<ClusterInput>> readPointsCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot open %1: %2").arg(path, file.errorString())};
    const QByteArray data = file.readAll();
    std::vector<ClusterInput> points;
    bool seenContent = false;
    qsizetype start = 0;
    int lineNo = 0;
    while (start < data.size()) {
        qsizetype end = data.indexOf('\n', start);
        if (end < 0)
            end = data.size();
        const QByteArray line = data.mid(start, end - start).trimmed();
        start = end + 1;
        ++lineNo;
        if (line.isEmpty())
            continue;
        const bool first = !seenContent;
        seenContent = true;
        const qsizetype comma = line.indexOf(',');
        bool okLon = false;
        bool okLat = false;
        double lon = 0;
        double lat = 0;
        if (comma > 0 && line.indexOf(',', comma + 1) < 0) {
            lon = line.left(comma).trimmed().toDouble(&okLon);
            lat = line.mid(comma + 1).trimmed().toDouble(&okLat);
        }
        if (!okLon || !okLat) {
            if (first)
                continue; // a header line
            return Error{QStringLiteral("%1:%2: expected \"lon,lat\", got \"%3\"")
                             .arg(path)
                             .arg(lineNo)
                             .arg(QString::fromUtf8(line.left(80)))};
        }
        if (!std::isfinite(lon) || !std::isfinite(lat) || std::fabs(lon) > 180 ||
            std::fabs(lat) > 90) {
            return Error{QStringLiteral("%1:%2: coordinate out of range: %3")
                             .arg(path)
                             .arg(lineNo)
                             .arg(QString::fromUtf8(line.left(80)))};
        }
        ClusterInput p;
        p.lon = lon;
        p.lat = lat;
        p.id = static_cast<quint32>(points.size());
        points.push_back(p);
    }
    return points;
}

} // namespace cityops::geo
