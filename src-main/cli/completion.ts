// `scripthut completion bash|zsh|fish`: completion scripts generated from the command table, so a new command
// completes as soon as it is registered.

export interface CompletionCommand {
  path: string[];
  options: string[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, commands: readonly CompletionCommand[], globals: readonly string[]): string {
  const groups = [...new Set(commands.map((c) => c.path[0]!))].sort();
  const subs = (g: string) => commands.filter((c) => c.path[0] === g && c.path.length > 1).map((c) => c.path[1]!);
  const optsOf = (c: CompletionCommand) => [...c.options, ...globals].map((o) => `--${o}`).join(' ');
  if (shell === 'bash' || shell === 'zsh') {
    const two = commands.filter((c) => c.path.length > 1).map((c) => `    "${c.path.join(' ')}") opts="${optsOf(c)}" ;;`).join('\n');
    const one = commands.filter((c) => c.path.length === 1).map((c) => `      ${c.path[0]}) opts="${optsOf(c)}" ;;`).join('\n');
    const groupCases = groups.map((g) => `    ${g}) words_="${subs(g).join(' ')}" ;;`).join('\n');
    const body = `_scripthut() {
  local cur=\${COMP_WORDS[COMP_CWORD]} i words=() opts="" words_=""
  for ((i = 1; i < COMP_CWORD; i++)); do [[ \${COMP_WORDS[i]} != -* ]] && words+=("\${COMP_WORDS[i]}"); done
  if [[ $cur == -* ]]; then
    case "\${words[0]} \${words[1]}" in
${two}
    esac
    if [[ -z $opts ]]; then
      case "\${words[0]}" in
${one}
      *) opts="${globals.map((o) => `--${o}`).join(' ')} --version" ;;
      esac
    fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur")); return
  fi
  if [[ \${#words[@]} -eq 0 ]]; then COMPREPLY=($(compgen -W "${groups.join(' ')}" -- "$cur")); return; fi
  if [[ \${#words[@]} -eq 1 ]]; then
    case "\${words[0]}" in
${groupCases}
    esac
    if [[ -n $words_ ]]; then COMPREPLY=($(compgen -W "$words_" -- "$cur")); return; fi
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}`;
    if (shell === 'bash') return `# bash completion for scripthut; load with: source <(scripthut completion bash)\n${body}\ncomplete -o default -F _scripthut scripthut\n`;
    return `#compdef scripthut\n# zsh completion for scripthut; load with: source <(scripthut completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${body}\ncomplete -o default -F _scripthut scripthut\n`;
  }
  const lines = ['# fish completion for scripthut; load with: scripthut completion fish | source', 'complete -c scripthut -f'];
  lines.push(`complete -c scripthut -n '__fish_use_subcommand' -a '${groups.join(' ')}'`);
  for (const g of groups) {
    const s = subs(g);
    if (s.length) lines.push(`complete -c scripthut -n '__fish_seen_subcommand_from ${g}; and not __fish_seen_subcommand_from ${s.join(' ')}' -a '${s.join(' ')}'`);
  }
  for (const c of commands) {
    const cond = c.path.length > 1 ? `__fish_seen_subcommand_from ${c.path[0]}; and __fish_seen_subcommand_from ${c.path[1]}` : `__fish_seen_subcommand_from ${c.path[0]}`;
    for (const o of c.options) lines.push(`complete -c scripthut -n '${cond}' -l ${o}`);
  }
  for (const o of [...globals, 'version']) lines.push(`complete -c scripthut -l ${o}`);
  return lines.join('\n') + '\n';
}
