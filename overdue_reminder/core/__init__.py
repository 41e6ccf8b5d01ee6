"""Pure rules: policy, offers, aging, texts and letter layout. No I/O beyond reading templates, no SQL, no clock."""
