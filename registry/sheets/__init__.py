"""Every way of opening a spreadsheet: register files, public uploads and the copies we write."""
