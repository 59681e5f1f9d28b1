// consul-mesh-gen-python SCHEMA.json OUTDIR: the Python SDK of a Pulumi package schema, written by
// the Python code generator of github.com/pulumi/pulumi/pkg/v3 (the CLI's version). The 3.276 CLI's
// `pulumi package gen-sdk --language python` asks the Python language host to generate it (the
// GeneratePackage RPC), which the 3.79 host that can be built here does not implement; this calls
// the same generator directly. Built by scripts/setup-tools.sh --with-python.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: consul-mesh-gen-python SCHEMA.json OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "consul-mesh-gen-python:", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The schema refers to no other package: a loader that has none (it fails on any reference).
	loader := schema.NewCachedLoader(nil)
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := python.GeneratePackage("consul-mesh-gen-python", pkg, nil, loader)
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(outDir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
