// The few fields of the extension's own package.json that the code reads at run time.

export interface Manifest {
    version?: string;
    contributes?: { configuration?: { properties?: Record<string, unknown> } };
}

export function manifest(packageJSON: unknown): Manifest {
    return typeof packageJSON === 'object' && packageJSON !== null ? packageJSON : {};
}
