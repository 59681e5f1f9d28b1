// Checks of a custom root CA's key material for the consul CA provider: it must parse, the cert must
// be a CA matching the key, and the key must be at least as strong as the config declares (or, when
// nothing is declared, as the minimum below). Failures name the property, never the key or cert.
//
// What Consul 1.16.3 itself accepts (agent/structs/connect_ca.go, agent/connect/parsing.go): for a
// key it generates, privateKeyType/privateKeyBits ec 224, 256, 384 or 521, or rsa 2048 or 4096; a
// custom root key of any EC curve or RSA length Go parses, whatever privateKeyType/privateKeyBits
// say (the root records the key's own type and length, read from the certificate).
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import type { CheckFailure } from "./validation";

/** A key's type and length ("rsa 2048", "ec 256"). */
export interface KeyShape {
    type: string;
    bits: number;
}

/** Consul's EC key lengths and the curve names node:crypto reports for them. */
const EC_CURVES: Record<string, number> = { secp224r1: 224, prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/**
 * The weakest root key consul-mesh accepts, per type: rsa 2048 (Consul's smallest RSA option, and
 * the key of the custom-root example in Consul's docs) and ec 256 (Consul's default). P-224 is
 * refused: TLS 1.3 defines no signature scheme for it and CA/Browser Forum rules do not allow it.
 */
export const MINIMUM_BITS: Record<string, number> = { rsa: 2048, ec: 256 };

/** What Consul accepts, and what consul-mesh does, for a reason text. */
export const WHAT_CONSUL_ACCEPTS =
    "Consul 1.16.3 generates ec 224/256/384/521 or rsa 2048/4096 keys and takes any EC or RSA key as a custom root; " +
    "consul-mesh accepts ec 256, 384 or 521 and rsa 2048 or longer";

/** The type and length of a key as node:crypto sees it ("rsa 1024", "ec 256"), never its value. */
function keyShape(key: KeyObject): KeyShape {
    const details = key.asymmetricKeyDetails ?? {};
    const type = key.asymmetricKeyType ?? "unknown";
    if (type === "rsa") return { type, bits: details.modulusLength ?? NaN };
    if (type === "ec") return { type, bits: EC_CURVES[details.namedCurve ?? ""] ?? NaN };
    return { type, bits: NaN };
}

/**
 * Security strength in bits (NIST SP 800-57 Part 1, table 2), to compare keys of different types:
 * RSA by the bracket its modulus reaches, EC by half the curve size.
 */
export function securityStrength(shape: KeyShape): number {
    if (shape.type === "ec") return shape.bits === 521 ? 256 : Math.floor(shape.bits / 2);
    if (shape.type !== "rsa") return 0;
    const brackets: Array<[number, number]> = [
        [15360, 256],
        [7680, 192],
        [3072, 128],
        [2048, 112],
        [1024, 80],
    ];
    return brackets.find(([modulus]) => shape.bits >= modulus)?.[1] ?? 0;
}

/** Whether `key` is weaker than `than`: a shorter key of the same type, or less security strength. */
export function weaker(key: KeyShape, than: KeyShape): boolean {
    if (key.type === than.type) return key.bits < than.bits;
    return securityStrength(key) < securityStrength(than);
}

/** Why P-224 is refused although Consul accepts it. */
export const P224_WHY = "TLS 1.3 has no signature scheme for P-224 and CA/Browser Forum rules do not allow it";

const describe = (s: KeyShape) => `a ${s.type} ${s.bits}-bit key`;

/** Why a key of this shape may not be a root (undefined: it may), whatever was declared. */
export function belowMinimum(shape: KeyShape): string | undefined {
    const minimum = MINIMUM_BITS[shape.type];
    if (minimum === undefined) return `is a ${shape.type} key: Consul signs only with EC or RSA keys (${WHAT_CONSUL_ACCEPTS})`;
    if (Number.isNaN(shape.bits)) return `is an ${shape.type} key on a curve Consul does not use (${WHAT_CONSUL_ACCEPTS})`;
    if (shape.type === "ec" && shape.bits === 224)
        return `is an ec P-224 key, which consul-mesh refuses for a root: ${P224_WHY} (${WHAT_CONSUL_ACCEPTS})`;
    if (shape.bits < minimum) return `is ${describe(shape)}, weaker than the minimum for a root (${WHAT_CONSUL_ACCEPTS})`;
    return undefined;
}

/**
 * The private key and root cert must parse, the cert must be a CA and match the key, and the key
 * must not be weaker than the declared type and length (`declared`: undefined when the config
 * declares neither, so that the key's own are taken) nor than the minimum for a root: Consul would
 * install a weaker key as given. Names the properties, never echoes the key or cert.
 */
export function keyFailures(privateKey: string | undefined, rootCert: string | undefined, declared: KeyShape | undefined): CheckFailure[] {
    let key: KeyObject | undefined;
    if (privateKey !== undefined) {
        try {
            key = createPrivateKey(privateKey);
        } catch {
            return [{ property: "config.privateKey", reason: "is not a PEM-encoded private key" }];
        }
        const shape = keyShape(key);
        const low = belowMinimum(shape);
        if (low !== undefined) return [{ property: "config.privateKey", reason: low }];
        if (declared !== undefined && weaker(shape, declared)) {
            return [
                {
                    property: "config.privateKey",
                    reason:
                        `is ${describe(shape)}, weaker than the ${declared.type} ${declared.bits} that privateKeyType/privateKeyBits declare: ` +
                        "supply a key at least as strong, or declare the key's own type and length (or neither, and the key's are taken)",
                },
            ];
        }
    }
    if (rootCert === undefined) return [];
    if (privateKey === undefined)
        return [{ property: "config.rootCert", reason: "needs config.privateKey (Consul signs with the root's key)" }];
    let cert: X509Certificate;
    try {
        cert = new X509Certificate(rootCert);
    } catch {
        return [{ property: "config.rootCert", reason: "is not a PEM-encoded X.509 certificate" }];
    }
    if (!cert.ca) return [{ property: "config.rootCert", reason: "must be a CA certificate (basicConstraints CA:TRUE)" }];
    // A cert that matches the key holds the key's public half: the checks above cover its strength.
    if (key && !cert.checkPrivateKey(key)) return [{ property: "config.rootCert", reason: "does not match config.privateKey" }];
    return [];
}
