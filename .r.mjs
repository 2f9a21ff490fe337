import('./src/cli/index.ts').then(async m=>{process.exitCode=await m.main(process.argv.slice(2))})
