"""The depot keeper's scan screen: one mobile page that scans, shows and acts, online or offline."""
