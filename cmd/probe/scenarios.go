package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/llm-probe/probe/prober/provider"
	"github.com/llm-probe/probe/scenarios"
)

func newScenariosCmd(ios *IOStreams) *cobra.Command {
	var output, providerName string
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the simulated API's scenarios",
		Example: `  probe scenarios
  probe scenarios --provider openai -o json
  probe ramp --scenario abuse`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if providerName == "" {
				providerName = scenarios.Anthropic
			}
			if _, err := provider.ByName(providerName); err != nil {
				return usagef("--provider: %v", err)
			}
			if err := checkOutput(&output); err != nil {
				return err
			}
			all := scenarios.AllFor(providerName)
			switch output {
			case "json":
				type row struct {
					Name      string `json:"name"`
					Summary   string `json:"summary"`
					Signature string `json:"signature"`
					Layer     string `json:"layer"`
					Source    string `json:"source"`
				}
				rows := make([]row, len(all))
				for i, s := range all {
					rows[i] = row{s.Name, s.Summary, s.Signature, s.Layer, s.Source}
				}
				enc := json.NewEncoder(ios.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			case "table":
				tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tEXPECTED VERDICT\tLAYER\tWHAT IT SIMULATES\tSOURCE")
				for _, s := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Signature, s.Layer, s.Summary, s.Source)
				}
				return tw.Flush()
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&providerName, "provider", "", "list the scenarios of this provider's simulated API (default anthropic)")
	return cmd
}
