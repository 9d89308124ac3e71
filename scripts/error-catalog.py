#!/usr/bin/env python3
# Writes docs/user/troubleshooting.md: every cprecon::Error the sources raise (message, fix, where), by area.
# Usage: scripts/error-catalog.py [OUT]  (default: docs/user/troubleshooting.md). Needs only Python 3.
import re, os, sys, collections
root=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows=collections.OrderedDict()
def strings(expr):
    expr=re.sub(r'(?:QStringLiteral|QLatin1String|tr)\(\s*("(?:[^"\\]|\\.)*")\s*\)', r'\1', expr)
    expr=re.sub(r'\.arg\([^()]*(\([^()]*\)[^()]*)*\)', '', expr)
    # the string literals of a C++ expression, concatenated; non-literal parts as «…»
    out=''; i=0; parts=[]
    toks=re.findall(r'"(?:[^"\\]|\\.)*"|[^"]+', expr)
    for t in toks:
        if t.startswith('"'): out+=bytes(t[1:-1],'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8', 'replace') if '\\' in t else t[1:-1]
        else:
            t2=t.strip().strip('+').strip()
            if t2: out+='…'
    out=re.sub(r'%[0-9]', '…', out)
    out=re.sub(r'(…\s*)+','…',out)
    return out.strip()
def split_args(s):
    depth=0; cur=''; args=[]; i=0; instr=False
    while i < len(s):
        c=s[i]
        if instr:
            cur+=c
            if c=='\\': cur+=s[i+1]; i+=1
            elif c=='"': instr=False
        elif c=='"': instr=True; cur+=c
        elif c in '([{': depth+=1; cur+=c
        elif c in ')]}':
            if depth==0: args.append(cur); return args, i
            depth-=1; cur+=c
        elif c==',' and depth==0: args.append(cur); cur=''
        else: cur+=c
        i+=1
    return args, i
HELPERS={'core/image/NpyReader.cpp':(1,2,'write the array with numpy.save(path, array.astype(numpy.float64))',''),
         'core/catalog/ModelRegistry.cpp':(1,2,'',''),
         'core/weights/RestrictedUnpickler.cpp':(0,None,'save a plain state dict: torch.save(model.state_dict(), path), or convert to .safetensors','cannot read checkpoint pickle: '),
         'core/run/RunConfig.cpp':(1,2,'see docs/user/run.md for the keys','run config: "…" ')}
for area_dir in ['core','app','ui','plots']:
    for dp,dn,fn in os.walk(os.path.join(root,area_dir)):
        for f in sorted(fn):
            if not f.endswith('.cpp'): continue
            p=os.path.join(dp,f); src=open(p,encoding='utf-8').read()
            # Problems a screen load reports and keeps going (screen/ScreenBuilder: severity, file, row, message, fix).
            for m in re.finditer(r'\.problem\(', src):
                args,_=split_args(src[m.end():])
                if len(args) < 4: continue
                msg=strings(args[3]); fix=strings(args[4]) if len(args)>4 else ''
                if not msg or msg=='…': continue
                rel=os.path.relpath(p,root)
                key=('screen', msg + (' (reported in the Problems panel; the rest of the screen loads)' if 'Warning' in args[0] else ' (Problems panel)'))
                if key not in rows: rows[key]=(fix,rel)
            # Files that raise through a local fail(...) helper: which argument is the message, which the fix.
            helper=HELPERS.get(os.path.relpath(p,root).replace(os.sep,'/'))
            if helper:
                mi,fi,default,prefix=helper
                for m in re.finditer(r'(?<![\w.>])fail\(', src):
                    if re.match(r'\s*(const|QString|std::string)', src[m.end():]): continue # the definition
                    args,_=split_args(src[m.end():])
                    if len(args) <= mi: continue
                    msg=strings(args[mi]); fix=strings(args[fi]) if fi is not None and len(args)>fi else default
                    if not msg or msg=='…': continue
                    rel=os.path.relpath(p,root)
                    area=rel.split('/')[1] if rel.startswith('core/') else rel.split('/')[0]
                    key=(area,prefix+msg)
                    if key not in rows: rows[key]=(fix,rel)
            for m in re.finditer(r'throw Error\(', src):
                args,_=split_args(src[m.end():])
                if not args: continue
                msg=strings(args[0]); fix=strings(args[2]) if len(args)>2 else ''
                if not msg or msg=='…': continue
                rel=os.path.relpath(p,root)
                area=rel.split('/')[1] if rel.startswith('core/') else rel.split('/')[0]
                key=(area,msg)
                if key not in rows: rows[key]=(fix,rel)
# The command-line parser's own messages (QCommandLineParser::errorText, shown with CliOptions' fix).
for msg in ["Unknown option '…'.", "Unknown options: …", "Missing value after '…'.", "Unexpected value after '…'."]:
    rows[('app', msg)] = ('see `cprecon-cli … --help`', 'app/cli/CliOptions.cpp')
areas=collections.OrderedDict()
for (area,msg),(fix,rel) in rows.items(): areas.setdefault(area,[]).append((msg,fix,rel))
names={'util':'Files, CSV, options','jobs':'Jobs','weights':'Checkpoints and weights','screen':'Screens and layouts','image':'Images and the pipeline','metrics':'Metrics','profiles':'Profiles and activity','features':'Features','catalog':'Model catalog and downloads','nets':'Networks','models':'Models','render':'Figures','recon':'Reconstruction','run':'Benchmark runs and reports','app':'Command line','ui':'The app','plots':'Results figures'}
out=['# Troubleshooting: every error message','','Every error CellPaint Recon reports names the file (or option) it is about and what to do. This table lists each',
'message as the code raises it (`…` stands for the names and numbers filled in), grouped by what was being done, with',
'the fix the message itself gives. Generated from the sources by `scripts/error-catalog.py`; regenerate it when messages',
'change. Errors are shown as `<file>[:<row>]: <message> (fix: <what to do>)` — after `error: ` on `cprecon-cli`\'s',
'stderr, in the app\'s Problems panel or a dialog; look a message up here by its first words. The test `cli.badinput`',
'feeds each class of bad input to the programs and checks that the message shown is the one documented here.','']
def cell(s): return s.replace('|','\\|').replace('\n',' ') if s else '—'
for area,items in areas.items():
    out.append('## '+names.get(area,area)); out.append('')
    out.append('| message | what to do | raised in |'); out.append('|---|---|---|')
    for msg,fix,rel in sorted(items, key=lambda x: x[0].lower()):
        # A message without a fix is an internal consistency check: no input of the user's reaches it by design.
        shown=cell(fix) if fix else '— (internal check: a bug, not your input; please report the command and this message)'
        out.append('| %s | %s | `%s` |'%(cell(msg),shown,rel))
    out.append('')
open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root,'docs/user/troubleshooting.md'),'w').write('\n'.join(out)+'\n')
