// Checks of a custom root CA's key material for the consul CA provider: it must parse, the cert must
// be a CA matching the key, and both must be the declared key type and length. Failures name the
// property, never the key or cert.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import type { CheckFailure } from "./validation";

/** Consul's EC key lengths and the curve names node:crypto reports for them. */
const EC_CURVES: Record<string, number> = { secp224r1: 224, prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/** The type and length of a key as node:crypto sees it ("rsa 1024", "ec 256"), never its value. */
function keyShape(key: KeyObject): { type: string; bits: number } {
    const details = key.asymmetricKeyDetails ?? {};
    const type = key.asymmetricKeyType ?? "unknown";
    if (type === "rsa") return { type, bits: details.modulusLength ?? NaN };
    if (type === "ec") return { type, bits: EC_CURVES[details.namedCurve ?? ""] ?? NaN };
    return { type, bits: NaN };
}

/**
 * The private key and root cert must parse, the cert must be a CA and match the key, and the key
 * must be of the type and length the config declares (Consul would install a weaker key as
 * given). Names the properties, never echoes the key or cert.
 */
export function keyFailures(
    privateKey: string | undefined,
    rootCert: string | undefined,
    declared: { type: string; bits: number },
): CheckFailure[] {
    let key: KeyObject | undefined;
    if (privateKey !== undefined) {
        try {
            key = createPrivateKey(privateKey);
        } catch {
            return [{ property: "config.privateKey", reason: "is not a PEM-encoded private key" }];
        }
        const shape = keyShape(key);
        if (!Number.isNaN(declared.bits) && (shape.type !== declared.type || shape.bits !== declared.bits)) {
            const what = Number.isNaN(shape.bits)
                ? `a ${shape.type} key of a length Consul does not use`
                : `a ${shape.type} ${shape.bits}-bit key`;
            return [
                {
                    property: "config.privateKey",
                    reason: `is ${what}, but privateKeyType/privateKeyBits declare ${declared.type} ${declared.bits} (Consul's default is ec 256): supply a key of the declared type and length, or declare the key's`,
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
    if (key && !cert.checkPrivateKey(key)) return [{ property: "config.rootCert", reason: "does not match config.privateKey" }];
    const shape = keyShape(cert.publicKey);
    if (!Number.isNaN(declared.bits) && (shape.type !== declared.type || shape.bits !== declared.bits)) {
        return [{ property: "config.rootCert", reason: `holds a ${shape.type} key, not the declared ${declared.type} ${declared.bits}` }];
    }
    return [];
}
