from retold.cli import main

main()
