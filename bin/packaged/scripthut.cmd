@echo off
rem The `scripthut` command of an installed ScriptHut Desktop (Windows). It lives in
rem <install folder>\resources\cli; add that folder to PATH (see README). The CLI runs through the app executable.
"%~dp0..\..\ScriptHut Desktop.exe" --scripthut-cli %*
exit /b %ERRORLEVEL%
